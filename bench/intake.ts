/**
 * Intake benchmark: the service app in-process (createApp on a loopback port),
 * driven over HTTP by a load generator in a worker thread (bench/load.ts), against
 *   (a) PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped afterwards) and
 *   (b) embedded PGlite on a temporary data directory.
 * Scenarios: 100-call batches back to back from C concurrent clients
 * (throughput, per-batch latency), and single calls paced open-loop at 200/s
 * (latency from the scheduled send time, so a stall is not hidden).
 *
 *   npx tsx bench/intake.ts [--seconds 20] [--only pg|pglite] [--scenarios batched1,batched4,single200,floor] [--rate 200]
 *                           [--slice-seconds 4]
 *
 * floor: single calls at --rate, the service and a bare Express handler that
 * checks the key, parses the JSON and inserts one row on the same database
 * (bench/floor.ts) taking turns in slices of --slice-seconds for --seconds
 * each; the service's p50/p99 as ratios to the floor's, and each side's
 * main-thread busy ms per request.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Server, ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from "node:perf_hooks";
import pg from "pg";
import { createPrisma, startEmbeddedPostgres, type Prisma } from "../src/lib/db.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { createApiKey } from "../src/intake/api-keys.js";
import { createTestContext, startTestApp } from "../test/support/context.js";
import { runLoad, summarise, type LoadRequest } from "./load.js";
import { interleavedWithFloor, measuredSlice, startIntakeFloor } from "./floor.js";
import { mainThreadCpuMs, profileWhile } from "./cpu.js";
import { runWithServiceFlags } from "./node-flags.js";

// The service's production Node.js flags (bench/node-flags.ts); the floor shares the process, so it gets them too.
runWithServiceFlags();

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    only: { type: "string" },
    scenarios: { type: "string", default: "batched1,batched4,single200,floor" },
    rate: { type: "string", default: "200" },
    "slice-seconds": { type: "string", default: "4" },
  },
});
const SCENARIOS = new Set(values.scenarios.split(","));
const SECONDS = Number(values.seconds);
const PG_ADMIN = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

let serial = 0;
const GROUPS = ["val-1", "val-2", "val-3", "val-4", "foretagslotsen", "ej-val"];
function makeCall() {
  serial += 1;
  const end = Date.now() - 2_000;
  return {
    externalCallId: `bench-${serial}-${randomBytes(3).toString("hex")}`,
    // Distinct valid Swedish mobile numbers, so every call is eligible (worst case: a survey row each).
    callerNumber: `+4670${String(1_000_000 + serial).slice(-7)}`,
    agent: { externalId: `agent-${serial % 17}`, name: `Agent ${serial % 17}` },
    group: { key: GROUPS[serial % GROUPS.length], name: `Grupp ${serial % GROUPS.length}` },
    startedAt: new Date(end - 240_000).toISOString(),
    endedAt: new Date(end).toISOString(),
    queueSeconds: 45,
    language: serial % 10 === 0 ? "en" : "sv",
  };
}

async function post(url: string, key: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/api/v1/calls/completed`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}

const request = (key: string, body: unknown): LoadRequest => ({
  path: "/api/v1/calls/completed",
  headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
  body: JSON.stringify(body),
});

/** Share of the time the service's event loop (this thread) was busy since `from`. */
const busyShare = (from: EventLoopUtilization) => +performance.eventLoopUtilization(from).utilization.toFixed(3);

/** 100-call batches back to back from `concurrency` clients (closed loop). */
async function batched(port: number, key: string, concurrency: number) {
  // Enough bodies for a fast run; built before the clock starts.
  const reqs = Array.from({ length: SECONDS * 60 }, () =>
    request(key, { calls: Array.from({ length: 100 }, makeCall) }),
  );
  const elu = performance.eventLoopUtilization();
  const r = await runLoad({ port, reqs, mode: "closed", concurrency, seconds: SECONDS });
  return {
    serviceThreadBusy: busyShare(elu),
    concurrency,
    callsPerSecond: Math.round(((r.latencies.length - r.bad) * 100) / (r.wallMs / 1000)),
    bad: r.bad + r.errors,
    firstProblem: r.firstProblem,
    batchMs: summarise(r.latencies),
  };
}

/** Single calls at a fixed rate (open loop: latency from the scheduled send time). */
/** Time from the request's arrival to its response's last byte, as the service sees it. */
function serverTimes(server: Server): { stop(): number[] } {
  const ms: number[] = [];
  const onRequest = (_req: unknown, res: ServerResponse) => {
    const t = performance.now();
    res.once("finish", () => ms.push(performance.now() - t));
  };
  server.prependListener("request", onRequest);
  return { stop: () => (server.off("request", onRequest), ms) };
}

async function openLoopSingles(port: number, key: string, rate: number, server: Server) {
  // Warm the single-call path first (JIT, first-use compilation), unmeasured.
  await runLoad({
    port,
    reqs: Array.from({ length: rate * 3 }, () => request(key, makeCall())),
    mode: "open",
    rate,
    seconds: 3,
  });
  const reqs = Array.from({ length: rate * SECONDS }, () => request(key, makeCall()));
  const elu = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const inService = serverTimes(server);
  const cpu0 = mainThreadCpuMs();
  const r = await profileWhile("intake-single", () => runLoad({ port, reqs, mode: "open", rate, seconds: SECONDS }));
  const cpuMs = mainThreadCpuMs() - cpu0;
  delay.disable();
  return {
    inServiceMs: summarise(inService.stop()),
    serviceThreadBusy: busyShare(elu),
    eventLoopDelayMs: {
      p50: +(delay.percentile(50) / 1e6).toFixed(1),
      p99: +(delay.percentile(99) / 1e6).toFixed(1),
      max: +(delay.max / 1e6).toFixed(1),
    },
    // Event-loop busy ms per request (counts waiting for a core on a loaded machine) and the thread's CPU ms.
    busyMsPerRequest: +((busyShare(elu) * r.wallMs) / r.latencies.length).toFixed(2),
    cpuMsPerRequest: +(cpuMs / r.latencies.length).toFixed(2),
    rate,
    achieved: Math.round(r.latencies.length / (r.wallMs / 1000)),
    bad: r.bad + r.errors,
    firstProblem: r.firstProblem,
    ms: summarise(r.latencies),
  };
}

/** Single calls, the service and the bare floor taking turns (bench/floor.ts). */
async function withFloor(port: number, key: string, rate: number, dbUrl: string, poolSize: number) {
  const floor = await startIntakeFloor(dbUrl, key, poolSize);
  try {
    const slice = Number(values["slice-seconds"]);
    const singles = (n: number) => Array.from({ length: n }, () => request(key, makeCall()));
    const open = (p: number, reqs: LoadRequest[]) => runLoad({ port: p, reqs, mode: "open", rate, seconds: slice });
    // Both paths warmed alike (JIT, first-use compilation), unmeasured.
    await open(port, singles(rate * slice));
    await open(floor.port, singles(rate * slice));
    return await interleavedWithFloor(
      Math.max(2, Math.round(SECONDS / slice)),
      () => {
        const reqs = singles(rate * slice);
        return measuredSlice(() => open(port, reqs));
      },
      () => {
        const reqs = singles(rate * slice);
        return measuredSlice(() => open(floor.port, reqs));
      },
    );
  } finally {
    await floor.close();
  }
}

async function run(name: string, dbUrl: string, prisma: Prisma, poolSize: number) {
  const ctx = await createTestContext(
    { prisma, url: dbUrl, close: async () => {} },
    {
      settings: { callingHours: "always", skipPublicHolidays: false },
    },
  );
  const bench = { ...ctx, logger: createLogger("warn"), now: () => new Date() };
  const app = await startTestApp(bench);
  const { secret } = await createApiKey(prisma, ctx.organizationId, "bench");
  const port = Number(new URL(app.url).port);
  // Warm-up: registers groups and agents, fills caches and JIT.
  for (let i = 0; i < 5; i++) await post(app.url, secret, { calls: Array.from({ length: 100 }, makeCall) });
  const results = {
    database: name,
    batched1: SCENARIOS.has("batched1") ? await batched(port, secret, 1) : undefined,
    batched4: SCENARIOS.has("batched4") ? await batched(port, secret, 4) : undefined,
    single200: SCENARIOS.has("single200")
      ? await openLoopSingles(port, secret, Number(values.rate), app.server)
      : undefined,
    floor: SCENARIOS.has("floor") ? await withFloor(port, secret, Number(values.rate), dbUrl, poolSize) : undefined,
    stored: await prisma.completedCall.count(),
    surveys: await prisma.surveyCall.count(),
  };
  await app.close();
  return results;
}

const all = [];
if (values.only !== "pglite") {
  const dbName = `nki_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const target = new URL(PG_ADMIN);
  target.pathname = `/${dbName}`;
  const url = target.toString();
  try {
    await migrate(url);
    const prisma = createPrisma(url); // the service's default pool (10)
    all.push(await run("PostgreSQL (127.0.0.1:5432)", url, prisma, 10));
    await prisma.$disconnect();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
if (values.only !== "pg") {
  const dir = mkdtempSync(path.join(tmpdir(), "nki-bench-pglite-"));
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg") });
  try {
    await migrate(server.url);
    // One connection: PGlite is one session, and its socket server interleaves concurrent clients' messages.
    const prisma = createPrisma(server.url, 1);
    all.push(await run("embedded PGlite (on disk)", server.url, prisma, 1));
    await prisma.$disconnect();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const { loadavg, cpus } = await import("node:os");
console.log(
  JSON.stringify(
    {
      seconds: SECONDS,
      node: process.version,
      cpus: cpus().length,
      loadAverageAtEnd: loadavg().map((l) => +l.toFixed(1)),
      results: all,
    },
    null,
    2,
  ),
);
