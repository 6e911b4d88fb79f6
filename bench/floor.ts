/**
 * The floor under a benchmark: what the same machine gives a bare Express
 * handler doing the least the real endpoint must do, measured in the same run
 * as the service, in short alternating slices (service, floor, floor, service, …),
 * so drift in the machine's load hits both alike. On a shared 2-core VM a bare
 * handler's p99 at 300 req/s ranged from 20 to 67 ms between runs, so absolute
 * tails say little there; the service's percentiles as ratios to the floor's,
 * and the service thread's busy and CPU time per request, say what the service adds.
 *
 * - TwiML floor: validates Twilio's signature (twilio-node, as the service
 *   does) and answers one constant TwiML document. It does no database work,
 *   while every service webhook commits one statement before it answers.
 * - TwiML floor with the durable write (bench/twiml.ts --db-floor on): the same
 *   plus one committed single-row INSERT before the TwiML is sent.
 * - Intake floor: checks the bearer key, parses the JSON body and does one
 *   single-row INSERT on the same database.
 */
import type { Server } from "node:http";
import { performance } from "node:perf_hooks";
import express from "express";
import pg from "pg";
import twilio from "twilio";
import { summarise, type LoadResult } from "./load.js";
import { mainThreadCpuMs } from "./cpu.js";

export interface Floor {
  port: number;
  close(): Promise<void>;
}

function listen(app: express.Express, serve?: (app: express.Express) => Server): Promise<Server> {
  return new Promise((resolve) => {
    const s = serve
      ? serve(app).listen(0, "127.0.0.1", () => resolve(s))
      : app.listen(0, "127.0.0.1", () => resolve(s));
  });
}

function closer(server: Server, also?: () => Promise<void>) {
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await also?.();
  };
}

const FLOOR_TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/next" input="dtmf" numDigits="1" timeout="6">' +
  '<Say language="sv-SE">Hur nöjd är du med bemötandet? Tryck en siffra mellan ett och fem.</Say></Gather></Response>';

/**
 * The signed TwiML floor's app: validates the signature against `publicBase` + path, runs `write` (if any)
 * with the form body, then answers constant TwiML.
 */
function signedTwimlApp(
  authToken: string,
  publicBase: string,
  write?: (body: Record<string, string>) => Promise<unknown>,
): express.Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  // Synchronous when there is nothing to write, so the bare floor costs what it cost before.
  app.post(/.*/, (req, res, next) => {
    const body = req.body as Record<string, string>;
    const ok = twilio.validateRequest(
      authToken,
      req.header("x-twilio-signature") ?? "",
      publicBase + req.originalUrl,
      body,
    );
    if (!ok) {
      res.status(403).type("text/plain").send("bad signature");
      return;
    }
    const answer = () => void res.type("text/xml").send(FLOOR_TWIML);
    if (write) write(body).then(answer, next);
    else answer();
  });
  return app;
}

/**
 * A bare handler that validates the signature against `publicBase` + path and answers constant TwiML.
 * `serve` makes the server for the app (bench/tail.ts traces it); default app.listen's own.
 */
export async function startTwimlFloor(
  authToken: string,
  publicBase: string,
  serve?: (app: express.Express) => Server,
): Promise<Floor> {
  const server = await listen(signedTwimlApp(authToken, publicBase), serve);
  return { port: (server.address() as { port: number }).port, close: closer(server) };
}

/**
 * The TwiML floor plus the one durable write every service webhook must make before it answers: after the
 * signature, one single-row INSERT on `dbUrl` (its own small table), committed (autocommit, the server's
 * synchronous_commit) before the constant TwiML is sent. What is left between it and the service is the
 * service's own work, not the commit's fsync or PostgreSQL's CPU on the same cores.
 */
export async function startTwimlDbFloor(
  authToken: string,
  publicBase: string,
  dbUrl: string,
  poolSize: number,
  serve?: (app: express.Express) => Server,
): Promise<Floor> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: poolSize });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bench_twiml_floor (id bigserial PRIMARY KEY, call_sid text, digits text, at timestamptz)`,
  );
  const app = signedTwimlApp(authToken, publicBase, (body) =>
    pool.query(`INSERT INTO bench_twiml_floor (call_sid, digits, at) VALUES ($1, $2, now())`, [
      body.CallSid ?? null,
      body.Digits ?? null,
    ]),
  );
  const server = await listen(app, serve);
  return {
    port: (server.address() as { port: number }).port,
    close: closer(server, async () => {
      await pool.query(`DROP TABLE IF EXISTS bench_twiml_floor`);
      await pool.end();
    }),
  };
}

/** A bare handler that checks the key, parses JSON and inserts one row on `dbUrl` (its own small table). */
export async function startIntakeFloor(dbUrl: string, bearer: string, poolSize: number): Promise<Floor> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: poolSize });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, external text, at timestamptz)`);
  const app = express();
  app.use(express.json({ limit: "1mb" }));
  app.post(/.*/, async (req, res) => {
    if (req.header("authorization") !== `Bearer ${bearer}`) {
      res.status(401).json({ error: "unauthorized" });
      return;
    }
    const body = req.body as { externalCallId?: string; endedAt?: string };
    await pool.query(`INSERT INTO bench_floor (external, at) VALUES ($1, $2::timestamptz)`, [
      body.externalCallId ?? null,
      body.endedAt ?? null,
    ]);
    res.status(200).json({ accepted: 1 });
  });
  const server = await listen(app);
  return {
    port: (server.address() as { port: number }).port,
    close: closer(server, async () => {
      await pool.query(`DROP TABLE IF EXISTS bench_floor`);
      await pool.end();
    }),
  };
}

export interface SliceResult {
  load: LoadResult;
  /** Main-thread (service or floor) busy ms over the slice. */
  busyMs: number;
  /** Main-thread CPU ms over the slice (bench/cpu.ts): not inflated by waiting for a core on a shared machine. */
  cpuMs: number;
}

/** Runs one slice and measures this thread's busy time around it (event-loop utilisation × wall time). */
export async function measuredSlice(run: () => Promise<LoadResult>): Promise<SliceResult> {
  const elu = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  const load = await run();
  const u = performance.eventLoopUtilization(elu);
  return { load, busyMs: u.utilization * (performance.now() - t0), cpuMs: mainThreadCpuMs() - cpu0 };
}

interface Side {
  latencies: number[];
  bad: number;
  busyMs: number;
  cpuMs: number;
}

const perRequest = (side: Side) => ({
  busyMsPerRequest: +(side.busyMs / side.latencies.length).toFixed(2),
  cpuMsPerRequest: +(side.cpuMs / side.latencies.length).toFixed(2),
});

function sliceLine(round: number, side: string, x: SliceResult) {
  const l = x.load.latencies;
  const head = Math.ceil(l.length / 10);
  const all = summarise(l);
  const first = summarise(l.slice(0, head));
  const rest = summarise(l.slice(head));
  console.error(
    `slice ${round} ${side.padEnd(7)} p50 ${all.p50} p99 ${all.p99} max ${all.max} | first tenth p99 ${first.p99} max ${first.max}` +
      ` | rest p99 ${rest.p99} max ${rest.max} | cpu ${(x.cpuMs / l.length).toFixed(2)} busy ${(x.busyMs / l.length).toFixed(2)} ms/req`,
  );
}

const merge = (slices: SliceResult[]): Side => ({
  latencies: slices.flatMap((s) => s.load.latencies),
  bad: slices.reduce((a, s) => a + s.load.bad + s.load.errors, 0),
  busyMs: slices.reduce((a, s) => a + s.busyMs, 0),
  cpuMs: slices.reduce((a, s) => a + s.cpuMs, 0),
});

/**
 * Alternates `rounds` pairs of slices (service then floor, then floor then service, …), and reports
 * both sides' percentiles, the service's as ratios to the floor's, and each
 * side's main-thread busy ms per request.
 */
export async function interleavedWithFloor(
  rounds: number,
  service: (round: number) => Promise<SliceResult>,
  floor: (round: number) => Promise<SliceResult>,
  /** A second floor (bench/twiml.ts: the one with the durable INSERT), in the same rounds: ABC, CBA, … */
  floor2?: (round: number) => Promise<SliceResult>,
) {
  const s: SliceResult[] = [];
  const f: SliceResult[] = [];
  const g: SliceResult[] = [];
  const sides: [SliceResult[], (round: number) => Promise<SliceResult>][] = [
    [s, service],
    [f, floor],
    ...(floor2 ? [[g, floor2] as [SliceResult[], (round: number) => Promise<SliceResult>]] : []),
  ];
  for (let i = 0; i < rounds; i++) {
    // ABBA order (service, floor, floor, service, …): neither side always runs right after the other.
    for (const [into, run] of i % 2 === 0 ? sides : [...sides].reverse()) into.push(await run(i));
    // BENCH_SLICES=1: each slice's figures, and its first tenth of responses apart (slice-switch warm-up).
    if (process.env.BENCH_SLICES)
      for (const [side, x] of [
        ["service", s[i]],
        ["floor", f[i]],
        ...(floor2 ? [["floor2", g[i]] as const] : []),
      ] as const)
        sliceLine(i, side, x);
  }
  const sv = merge(s);
  const fl = merge(f);
  const sm = summarise(sv.latencies);
  const fm = summarise(fl.latencies);
  const ratio = (a: number, b: number) => +(a / b).toFixed(2);
  const second = floor2 ? merge(g) : null;
  const gm = second ? summarise(second.latencies) : null;
  return {
    rounds,
    service: { ...sm, bad: sv.bad, ...perRequest(sv) },
    floor: { ...fm, bad: fl.bad, ...perRequest(fl) },
    ratio: { p50: ratio(sm.p50, fm.p50), p99: ratio(sm.p99, fm.p99) },
    ...(second && gm
      ? {
          floor2: { ...gm, bad: second.bad, ...perRequest(second) },
          ratio2: { p50: ratio(sm.p50, gm.p50), p99: ratio(sm.p99, gm.p99) },
        }
      : {}),
  };
}
