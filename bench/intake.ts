/**
 * Intake benchmark: the service app in-process (createApp on a loopback port),
 * driven over HTTP by a client in the same process, against
 *   (a) PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped afterwards) and
 *   (b) embedded PGlite on a temporary data directory.
 * Scenarios: 100-call batches back to back from C concurrent clients
 * (throughput, per-batch latency), and single calls paced open-loop at 200/s
 * (latency from the scheduled send time, so a stall is not hidden).
 *
 *   npx tsx bench/intake.ts [--seconds 20] [--only pg|pglite]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPrisma, startEmbeddedPostgres, type Prisma } from "../src/lib/db.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { createApiKey } from "../src/intake/api-keys.js";
import { createTestContext, startTestApp } from "../test/support/context.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "20" }, only: { type: "string" } } });
const SECONDS = Number(values.seconds);
const PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: +pct(s, 50).toFixed(1), p95: +pct(s, 95).toFixed(1), p99: +pct(s, 99).toFixed(1), max: +(s.at(-1) ?? NaN).toFixed(1) };
};

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
    group: { key: GROUPS[serial % GROUPS.length]!, name: `Grupp ${serial % GROUPS.length}` },
    startedAt: new Date(end - 240_000).toISOString(),
    endedAt: new Date(end).toISOString(),
    queueSeconds: 45,
    language: serial % 10 === 0 ? "en" : "sv",
  };
}

async function post(url: string, key: string, body: unknown): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${url}/api/v1/calls/completed`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return performance.now() - t;
}

async function batched(url: string, key: string, concurrency: number) {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let calls = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        latencies.push(await post(url, key, { calls: Array.from({ length: 100 }, makeCall) }));
        calls += 100;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { concurrency, callsPerSecond: Math.round(calls / elapsed), batchMs: summary(latencies) };
}

async function openLoopSingles(url: string, key: string, rate: number) {
  const latencies: number[] = [];
  const total = rate * SECONDS;
  const t0 = performance.now() + 50;
  let errors = 0;
  let firstError: string | null = null;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      post(url, key, makeCall())
        .then(() => void latencies.push(performance.now() - due))
        .catch((err: Error) => {
          errors++;
          firstError ??= `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}`.trim();
        }),
    );
  }
  await Promise.all(inflight);
  return { rate, errors, firstError, ms: summary(latencies) };
}

async function run(name: string, dbUrl: string, prisma: Prisma) {
  const ctx = await createTestContext({ prisma, url: dbUrl, close: async () => {} }, {
    settings: { callingHours: "always", skipPublicHolidays: false },
  });
  const bench = { ...ctx, logger: createLogger("warn"), now: () => new Date() };
  const app = await startTestApp(bench);
  const { secret } = await createApiKey(prisma, ctx.organizationId, "bench");
  // Warm-up: registers groups and agents, fills caches and JIT.
  for (let i = 0; i < 5; i++) await post(app.url, secret, { calls: Array.from({ length: 100 }, makeCall) });
  const results = {
    database: name,
    batched1: await batched(app.url, secret, 1),
    batched4: await batched(app.url, secret, 4),
    single200: await openLoopSingles(app.url, secret, 200),
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
  const url = PG_ADMIN.replace(/\/postgres$/, `/${dbName}`);
  try {
    await migrate(url);
    const prisma = createPrisma(url); // the service's default pool (10)
    all.push(await run("PostgreSQL (127.0.0.1:5432)", url, prisma));
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
    all.push(await run("embedded PGlite (on disk)", server.url, prisma));
    await prisma.$disconnect();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const { loadavg, cpus } = await import("node:os");
console.log(JSON.stringify({ seconds: SECONDS, node: process.version, cpus: cpus().length, loadAverageAtEnd: loadavg().map((l) => +l.toFixed(1)), results: all }, null, 2));
