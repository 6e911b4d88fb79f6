/**
 * Dispatcher throughput under the calls-per-second limit.
 *
 *   npx tsx bench/dispatch.ts [seconds-per-rate=30] [rates=5,10]
 *
 * A fresh database on the PostgreSQL server at 127.0.0.1:5432 with 10,000 due
 * surveys; a fake fast Twilio on loopback in this process (answers
 * calls.create at once and notes when each arrived); two dispatcher
 * instances, each its own process as two service instances would be (own
 * connection pool and twilio-node client, the real cron job wiring), ticking
 * for the given seconds per rate. Prints the
 * calls that arrived at the fake Twilio per second: the most in any sliding
 * one-second window, and the mean. Drops the database again.
 */
import { fileURLToPath } from "node:url";
import { dispatchJobs } from "../src/dispatch/jobs.js";
import { createBenchDatabase, runIfInstance, runInstances, spacing, startFakeTwilio } from "./rate-harness.js";
import { seedDueSurveys } from "./seed-due-surveys.js";

// --- worker: one dispatcher instance, as its own process ---
await runIfInstance({
  config: (env) => ({ DISPATCH_CALLS_PER_SECOND: env.cps, DISPATCH_MAX_CONCURRENT: "1000" }),
  jobs: dispatchJobs.filter((j) => j.id === "dispatch-tick"),
  warmUp: async (ctx) => {
    await ctx.prisma.surveyCall.count({ where: { state: "scheduled" } });
    await ctx.prisma.$queryRaw`SELECT 1`;
  },
});

const SECONDS = Number(process.argv[2] ?? 30);
const RATES = (process.argv[3] ?? "5,10").split(",").map(Number);
const SURVEYS = 10_000;

// --- fake Twilio: records when each calls.create arrives ---
const fake = await startFakeTwilio({
  resource: "Calls",
  sidPrefix: "CA",
  otherwise: { status: 200, body: { status: "active" } },
});

// --- fresh database with 10,000 due surveys ---
const bench = await createBenchDatabase("nki_bench_dispatch");
const seedDb = bench.db;
const { numberKey } = await seedDueSurveys(seedDb, {
  slug: "bench",
  name: "Benchkommun",
  count: SURVEYS,
  externalPrefix: "bench",
});

const rows: string[] = [];
for (const cps of RATES) {
  await seedDb.dispatchThrottle.deleteMany({});
  const { started, stats } = await runInstances(fileURLToPath(import.meta.url), ["bench-a", "bench-b"], {
    url: bench.url,
    apiUrl: fake.apiUrl,
    account: fake.account,
    numberKey: numberKey.toString("base64"),
    cps: String(cps),
    seconds: String(SECONDS),
  });
  const missed = stats.reduce((a, b) => a + b.missed, 0);
  const { n, span, mean, max, tightest, twice } = spacing(fake.arrivals, started, cps);
  const byInstance = await seedDb.surveyCall.groupBy({ by: ["claimedBy"], where: { state: "dialling" }, _count: true });
  const line = `| ${cps} | ${n} | ${span.toFixed(1)} s | ${max} | ${Math.round(tightest)} ms | ${mean.toFixed(3)} | ${((mean / cps) * 100).toFixed(1)} % | ${missed} | ${twice === 0 ? "none" : `${twice} DUPLICATES`} | ${byInstance.map((b) => `${b.claimedBy}: ${b._count}`).join(", ")} |`;
  console.log(line);
  rows.push(line);
  // Next rate starts from a clean slate of due surveys.
  await seedDb.surveyCall.updateMany({
    where: { state: "dialling" },
    data: { state: "scheduled", callSid: null, claimedBy: null, claimedAt: null },
  });
}

console.log(
  "\n| limit (calls/s) | calls | first → last | max in any 1-s window | shortest span of limit + 1 calls | mean calls/s | mean / limit | slots missed (late) | dialled twice | claims per instance |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);

await bench.drop();
fake.close();
