/**
 * TwiML webhook latency with signature validation on, open loop, plus the
 * database round trips of one complete survey.
 *
 *   npx tsx bench/twiml.ts [--db pg|embedded|both] [--rate 300] [--seconds 20] [--metrics on|off]
 *                          [--floor on|off] [--db-floor on|off] [--slice-seconds 4]
 *                          [--transcribing interleaved] [--transcribe-delay-ms 0]
 *
 * pg: a fresh database on 127.0.0.1:5432 (dropped afterwards). embedded:
 * PGlite on a temporary data directory, served over its socket as in the
 * service. The service runs in this process; the load generator (bench/load.ts)
 * runs in a worker thread and fires requests on a fixed schedule (open loop), measuring
 * latency from the scheduled time, so a slow response delays nobody's clock.
 * Each simulated call does what Twilio does: first TwiML, seven gathers, the
 * record action; calls are interleaved so one survey's requests are ~2 s apart.
 *
 * --floor on (default): after the usual run, the service and a bare Express
 * handler that validates the signature and answers constant TwiML
 * (bench/floor.ts) take turns in slices of --slice-seconds for --seconds
 * each, at the same rate; the service's p50/p99 are reported as ratios to the
 * floor's, with each side's main-thread busy ms per request. The bare floor
 * does no database work; --db-floor on (default) adds, in the same rounds, a
 * second floor that also commits one single-row INSERT before answering, as
 * every service webhook must (ratios "÷ floor + INSERT").
 *
 * BENCH_TAIL=1: where the slowest 1 % of the main run and of each slice spent
 * their time, and what ran on the service's thread meanwhile (bench/tail.ts).
 *
 * --transcribing interleaved: after the usual run, four more runs alternate
 * without and with the transcription job working in the same process and on
 * the same pool (as in the service), over 3,000 stored voice messages that
 * are put back in the queue whenever it empties, with a fake transcriber
 * answering after --transcribe-delay-ms (0: the job is as busy as it can be).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import twilio from "twilio";
import { createApp } from "../src/app.js";
import type { AppContext } from "../src/context.js";
import { loadConfig } from "../src/lib/config.js";
import { setMetricsEnabled } from "../src/lib/metrics.js";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma, startEmbeddedPostgres, type Prisma } from "../src/lib/db.js";
import { createLocalEventBus } from "../src/lib/events.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";
import { createLocalStorage } from "../src/recordings/storage.js";
import { loadFlows } from "../src/survey/flows.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { runLoad, summarise, type LoadRequest, type LoadResult } from "./load.js";
import { interleavedWithFloor, measuredSlice, startTwimlDbFloor, startTwimlFloor } from "./floor.js";
import { mainThreadCpuMs, profileWhile } from "./cpu.js";
import { Readable } from "node:stream";
import { sqlExecute } from "../src/lib/db.js";
import { runTranscriptionTick } from "../src/transcription/worker.js";
import { tracedServer, type Tracer } from "./tail.js";
import { runWithServiceFlags } from "./node-flags.js";

// The service's production Node.js flags (bench/node-flags.ts); the floors share the process, so they get them too.
runWithServiceFlags();

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RATE = Number(arg("rate", "300"));
const SECONDS = Number(arg("seconds", "20"));
const WHICH = arg("db", "both");
// Prometheus instrumentation (webhook histogram, transition counters): off measures its cost.
const METRICS = arg("metrics", "on") !== "off";
const TRANSCRIBING = arg("transcribing", "off") === "interleaved";
const TRANSCRIBE_DELAY_MS = Number(arg("transcribe-delay-ms", "0"));
const FLOOR = arg("floor", "on") !== "off";
const SLICE_SECONDS = Number(arg("slice-seconds", "4"));
// A second floor in the same rounds: the bare one plus the one committed INSERT every webhook must make.
const DB_FLOOR = FLOOR && arg("db-floor", "on") !== "off";
// BENCH_TAIL=1: where the slowest 1 % of each run spent their time (bench/tail.ts).
const TAIL = Boolean(process.env.BENCH_TAIL);
let tracer: Tracer | null = null;
let floorTracer: Tracer | null = null;
setMetricsEnabled(METRICS);
const PUBLIC = "https://nki.bench.test";
const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];

// Every statement any pg client sends, BEGIN and COMMIT included: one round trip each.
let roundTrips = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  roundTrips++;
  if (process.env.BENCH_TRACE) {
    const q = args[0] as string | { text?: string };
    console.log(
      "  sql:",
      String(typeof q === "string" ? q : q?.text)
        .replace(/\s+/g, " ")
        .slice(0, 160),
    );
  }
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

interface Req {
  path: string;
  body: string;
  signature: string;
}

async function buildContext(url: string, poolSize: number): Promise<AppContext> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "nki-bench-"));
  const config = loadConfig({
    NODE_ENV: "development",
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    PUBLIC_BASE_URL: PUBLIC,
    LOG_LEVEL: "warn",
    METRICS_ENABLED: METRICS ? "true" : "false",
  });
  const prisma = createPrisma(url, poolSize);
  const creds = {
    accountSid: `AC${"0".repeat(32)}`,
    authToken: randomBytes(16).toString("hex"),
    fromNumber: "+46850000000",
  };
  return {
    config,
    prisma,
    logger: createLogger("warn"),
    numbers: createNumberCrypto(randomBytes(32)),
    events: createLocalEventBus(),
    now: () => new Date(),
    instanceId: "bench",
    twilio: createTwilioClient(creds),
    twilioCredentials: creds,
    storage: createLocalStorage(path.join(dataDir, "recordings")),
    flows: loadFlows(),
  };
}

async function seedSurveys(prisma: Prisma, ctx: AppContext, orgId: string, n: number): Promise<string[]> {
  const group = await ensureGroup(prisma, orgId, "val-1", "Val 1");
  const agent = await ensureAgent(prisma, orgId, "bench-agent");
  const now = Date.now();
  const calls = Array.from({ length: n }, (_, i) => {
    const number = `+4670${String(1_000_000 + i).padStart(7, "0")}`;
    return {
      id: crypto.randomUUID(),
      organizationId: orgId,
      externalCallId: `bench-${randomBytes(6).toString("hex")}`,
      callerNumberEnc: new Uint8Array(ctx.numbers.encrypt(number)),
      callerHash: ctx.numbers.hash(number),
      agentId: agent.id,
      groupId: group.id,
      queueSeconds: 60,
      talkSeconds: 120,
      startedAt: new Date(now - 300_000),
      endedAt: new Date(now - 120_000),
      decision: "scheduled",
    };
  });
  await prisma.completedCall.createMany({ data: calls });
  const surveys = calls.map((c) => ({
    id: crypto.randomUUID(),
    organizationId: orgId,
    completedCallId: c.id,
    groupId: group.id,
    agentId: agent.id,
    state: "dialling" as const,
    expiresAt: new Date(now + 3_600_000),
    flowId: "nki-sv",
    callSid: `CA${randomBytes(16).toString("hex")}`,
  }));
  await prisma.surveyCall.createMany({ data: surveys });
  return surveys.map((s) => s.id);
}

/** The nine webhooks of one complete call, signed as Twilio would sign them. */
function callRequests(token: string, surveyId: string, callSid: string): Req[] {
  const sign = (p: string, params: Record<string, string>): Req => ({
    path: p,
    body: new URLSearchParams(params).toString(),
    signature: twilio.getExpectedTwilioSignature(token, PUBLIC + p, params),
  });
  const base = {
    AccountSid: `AC${"0".repeat(32)}`,
    CallSid: callSid,
    CallStatus: "in-progress",
    Direction: "outbound-api",
  };
  return [
    sign(`/twilio/voice?surveyId=${surveyId}&flow=nki-sv`, base),
    // The action URLs exactly as the service renders them (src/survey/twiml.ts): the step token names the flow.
    ...KEYS.map((k, i) =>
      sign(`/twilio/gather?surveyId=${surveyId}&flow=nki-sv&step=${k}&try=0`, {
        ...base,
        Digits: String((i % 5) + 1),
        FinishedOnKey: "",
      }),
    ),
    sign(`/twilio/recorded?surveyId=${surveyId}&flow=nki-sv&step=message&try=0`, {
      ...base,
      RecordingSid: `RE${"1".repeat(32)}`,
      RecordingDuration: "12",
      Digits: "#",
    }),
  ];
}

/** Interleaves calls so that request k of call i is sent at (k * calls + i) / rate. */
function schedule(token: string, surveyIds: string[]): Req[] {
  const perCall = surveyIds.map((id) => callRequests(token, id, `CA${randomBytes(16).toString("hex")}`));
  const out: Req[] = [];
  for (let k = 0; k < perCall[0].length; k++) for (const reqs of perCall) out.push(reqs[k]);
  return out;
}

const BAD_TWIML = ["tekniskt fel", "redan avslutad"];
const toLoad = (r: Req): LoadRequest => ({
  path: r.path,
  headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": r.signature },
  body: r.body,
});
const twimlLoad = (port: number, reqs: Req[], rate: number) =>
  runLoad({
    trace: TAIL,
    port,
    reqs: reqs.map(toLoad),
    mode: "open",
    rate,
    seconds: reqs.length / rate + 1,
    okBodyStartsWith: "<?xml",
    badBodyIncludes: BAD_TWIML,
  });

async function bench(label: string, url: string, poolSize: number) {
  await migrate(url);
  const ctx = await buildContext(url, poolSize);
  const org = await ensureOrganization(ctx.prisma, {
    slug: "bench",
    name: "Benchkommun",
    timeZone: "Europe/Stockholm",
  });
  const app = createApp(ctx);
  if (TAIL) tracer = tracedServer(app);
  const server: Server = await new Promise((resolve) => {
    const s = tracer
      ? tracer.server.listen(0, "127.0.0.1", () => resolve(s))
      : app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const token = ctx.twilioCredentials.authToken;

  // Round trips of one complete survey, measured alone.
  const [one] = await seedSurveys(ctx.prisma, ctx, org.id, 1);
  const perRequest: number[] = [];
  for (const r of callRequests(token, one, "CA" + "2".repeat(32))) {
    const before = roundTrips;
    const t0 = performance.now();
    if (process.env.BENCH_TRACE) console.log(r.path);
    await twimlLoad(port, [r], 1);
    if (process.env.BENCH_TRACE) console.log("  ms", (performance.now() - t0).toFixed(1));
    perRequest.push(roundTrips - before);
  }
  const check = await ctx.prisma.surveyCall.findUniqueOrThrow({
    where: { id: one },
    select: { state: true, _count: { select: { answers: true } } },
  });

  const calls = Math.ceil((RATE * SECONDS) / 9);
  const warm = await seedSurveys(ctx.prisma, ctx, org.id, 60);
  await twimlLoad(port, schedule(token, warm), RATE);
  const ids = await seedSurveys(ctx.prisma, ctx, org.id, calls);
  const reqs = schedule(token, ids);
  const elu = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuMs();
  tracer?.reset();
  const r = await profileWhile("twiml-main", () => twimlLoad(port, reqs, RATE));
  if (tracer && r.trace) tracer.explain("main run, service", r.trace);
  const busy = performance.eventLoopUtilization(elu).utilization;
  const cpuMs = mainThreadCpuMs() - cpu0;
  const ms = summarise(r.latencies);
  const answers = await ctx.prisma.answer.count({ where: { surveyId: { in: ids } } });
  const completed = await ctx.prisma.surveyCall.count({ where: { id: { in: ids }, state: "completed" } });
  const floor = FLOOR ? await floorRounds(ctx, { url, poolSize }, org.id, port, token) : null;
  const interleaved = TRANSCRIBING ? await transcribingRounds(ctx, org.id, port, token) : [];
  server.closeAllConnections();
  server.close();
  tracer?.stop();
  await ctx.prisma.$disconnect();
  return [
    {
      label,
      requests: reqs.length,
      achievedRps: Math.round((r.latencies.length / r.wallMs) * 1000),
      bad: r.bad + r.errors,
      firstProblem: r.firstProblem,
      p50: ms.p50,
      p90: ms.p90,
      p99: ms.p99,
      p999: ms.p999,
      max: ms.max,
      serviceThreadBusy: +busy.toFixed(3),
      serviceMsPerRequest: +((busy * r.wallMs) / r.latencies.length).toFixed(2),
      serviceCpuMsPerRequest: +(cpuMs / r.latencies.length).toFixed(2),
      answersStored: `${answers}/${calls * 7}`,
      completed: `${completed}/${calls}`,
      roundTripsOneSurvey: perRequest.reduce((a, b) => a + b, 0),
      perRequest: perRequest.join("+"),
      oneSurveyCheck: `${check.state}, ${check._count.answers} answers`,
    },
    ...(floor
      ? [
          { label: `${label} · interleaved: service`, ...floor.service },
          { label: `${label} · interleaved: bare floor`, ...floor.floor },
          { label: `${label} · service ÷ floor`, p50: floor.ratio.p50, p99: floor.ratio.p99 },
          ...(floor.floor2 && floor.ratio2
            ? [
                { label: `${label} · interleaved: floor + INSERT`, ...floor.floor2 },
                { label: `${label} · service ÷ floor + INSERT`, p50: floor.ratio2.p50, p99: floor.ratio2.p99 },
              ]
            : []),
        ]
      : []),
    ...interleaved.map((x) => ({ label: `${label} · ${x.label}`, ...x.row })),
  ];
}

/** The service and the bare floor (bench/floor.ts) in alternating slices at the same rate. */
async function floorRounds(
  ctx: AppContext,
  db: { url: string; poolSize: number },
  orgId: string,
  port: number,
  token: string,
) {
  const floor = await startTwimlFloor(
    token,
    PUBLIC,
    TAIL ? (app) => (floorTracer = tracedServer(app)).server : undefined,
  );
  // On the service's database, with a pool of the service's size.
  const dbFloor = DB_FLOOR ? await startTwimlDbFloor(token, PUBLIC, db.url, db.poolSize) : null;
  try {
    const perSlice = Math.ceil((RATE * SLICE_SECONDS) / 9);
    const floorReqs = schedule(
      token,
      Array.from({ length: perSlice }, () => crypto.randomUUID()),
    );
    // Warm the floor's path as the service's was warmed.
    await twimlLoad(floor.port, floorReqs, RATE);
    if (dbFloor) await twimlLoad(dbFloor.port, floorReqs, RATE);
    const rounds = Math.max(2, Math.round(SECONDS / SLICE_SECONDS));
    // Every service slice's surveys seeded before the first slice: seeding right before each one
    // (Prisma createMany on this thread, rows and WAL on the server) left its garbage and its
    // server work in the service's slice, not in the floor's.
    const serviceReqs: Req[][] = [];
    for (let i = 0; i < rounds; i++)
      serviceReqs.push(schedule(token, await seedSurveys(ctx.prisma, ctx, orgId, perSlice)));
    const traced = async (t: Tracer | null, label: string, run: () => Promise<LoadResult>) => {
      t?.reset();
      const r = await run();
      if (t && r.trace) t.explain(label, r.trace);
      return r;
    };
    return await interleavedWithFloor(
      rounds,
      (i) => measuredSlice(() => traced(tracer, `slice ${i} service`, () => twimlLoad(port, serviceReqs[i], RATE))),
      (i) => measuredSlice(() => traced(floorTracer, `slice ${i} floor`, () => twimlLoad(floor.port, floorReqs, RATE))),
      dbFloor ? () => measuredSlice(() => twimlLoad(dbFloor.port, floorReqs, RATE)) : undefined,
    );
  } finally {
    await floor.close();
    await dbFloor?.close();
    floorTracer?.stop();
  }
}

/** Voice messages with one shared stored audio file (set-based), for the transcription job to chew on. */
async function seedVoiceMessages(ctx: AppContext, orgId: string, n: number) {
  const key = `${orgId}/bench-shared.wav`;
  await ctx.storage.put(key, Readable.from([randomBytes(64_000)]), "audio/wav");
  const group = await ensureGroup(ctx.prisma, orgId, "val-1", "Val 1");
  const agent = await ensureAgent(ctx.prisma, orgId, "bench-agent");
  await sqlExecute(
    ctx.prisma,
    `WITH s AS (SELECT g, gen_random_uuid() AS cc, gen_random_uuid() AS sv, gen_random_uuid() AS vm FROM generate_series(1, $1::int) g),
     c AS (INSERT INTO "CompletedCall" (id, "organizationId", "externalCallId", "agentId", "groupId", "queueSeconds",
             "talkSeconds", "startedAt", "endedAt", decision)
           SELECT cc, $2::uuid, 'vm-' || g, $3::uuid, $4::uuid, 30, 120, now(), now(), 'scheduled' FROM s RETURNING id),
     v AS (INSERT INTO "SurveyCall" (id, "organizationId", "completedCallId", "groupId", "agentId", state, "expiresAt",
             "flowId", "createdAt", "updatedAt")
           SELECT sv, $2::uuid, cc, $4::uuid, $3::uuid, 'completed', now(), 'nki-sv', now(), now() FROM s RETURNING id)
     INSERT INTO "VoiceMessage" (id, "surveyId", "organizationId", "groupId", "agentId", "recordingSid", state,
             "storageKey", "contentType", "durationSeconds", "sizeBytes", "recordedAt", "updatedAt")
     SELECT vm, sv, $2::uuid, $4::uuid, $3::uuid, 'RE' || md5(vm::text), 'stored', $5::text, 'audio/wav', 20, 64000,
            now(), now() FROM s`,
    [n, orgId, agent.id, group.id, key],
  );
}

/** Runs without and with the transcription job busy, interleaved, so drift in machine load hits both alike. */
async function transcribingRounds(ctx: AppContext, orgId: string, port: number, token: string) {
  await seedVoiceMessages(ctx, orgId, 3000);
  const text = "Snöröjningen på vår gata har inte kommit. Ring mig på 070-174 06 05.";
  const mutable = ctx as { transcriber?: AppContext["transcriber"] };
  mutable.transcriber = {
    endpoint: "fake",
    model: "fake",
    transcribe: async () => {
      if (TRANSCRIBE_DELAY_MS > 0) await new Promise((r) => setTimeout(r, TRANSCRIBE_DELAY_MS));
      return { text, language: "sv", segments: [] };
    },
  };
  const out = [];
  for (const [i, mode] of (["off", "on", "off", "on"] as const).entries()) {
    const ids = await seedSurveys(ctx.prisma, ctx, orgId, Math.ceil((RATE * SECONDS) / 9));
    let running = mode === "on";
    let transcribed = 0;
    const job = (async () => {
      while (running) {
        const n = await runTranscriptionTick(ctx);
        transcribed += n;
        if (n === 0)
          await sqlExecute(
            ctx.prisma,
            `UPDATE "Transcript" SET status = 'pending', attempts = 0, "nextAttemptAt" = now(), "claimedUntil" = NULL`,
          );
      }
    })();
    const r = await twimlLoad(port, schedule(token, ids), RATE);
    running = false;
    await job;
    const ms = summarise(r.latencies);
    out.push({
      label: `transcription ${mode} (round ${i + 1})`,
      row: {
        requests: r.latencies.length,
        bad: r.bad + r.errors,
        p50: ms.p50,
        p90: ms.p90,
        p99: ms.p99,
        max: ms.max,
        transcribedDuringRun: transcribed,
      },
    });
  }
  return out;
}

async function main() {
  const results = [];
  if (WHICH === "pg" || WHICH === "both") {
    const admin = "postgresql://postgres@127.0.0.1:5432/postgres";
    const name = `nki_bench_${randomBytes(4).toString("hex")}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    try {
      results.push(...(await bench("PostgreSQL 127.0.0.1:5432", `postgresql://postgres@127.0.0.1:5432/${name}`, 10)));
      console.table(results.slice(-1));
    } finally {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    }
  }
  if (WHICH === "embedded" || WHICH === "both") {
    const dir = mkdtempSync(path.join(tmpdir(), "nki-bench-pg-"));
    const server = await startEmbeddedPostgres({ dataDir: dir });
    try {
      // EMBEDDED_POOL: concurrent connections through pglite-socket interleave
      // extended-protocol messages (see bench/RESULTS.md); 1 serialises them.
      const poolSize = Number(process.env.EMBEDDED_POOL ?? "1");
      results.push(...(await bench(`embedded PGlite (data dir), pool ${poolSize}`, server.url, poolSize)));
      console.table(results.slice(-1));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    `TwiML webhooks, signature validation on, open loop at ${RATE} req/s for ${SECONDS} s (latency in ms from the scheduled send time)`,
  );
  console.table(results);
}

await main();
