/**
 * SMS fallback sending rate across instances.
 *
 *   npx tsx bench/sms-rate.ts [seconds-per-rate=20] [rates=1,4]
 *
 * A fresh database on the PostgreSQL server at 127.0.0.1:5432 with 500 surveys
 * ended unanswered and their SMS due; a fake Twilio on loopback in this process
 * (answers messages.create at once and notes when each arrived); two sender
 * instances, each its own process (own pool and twilio-node client, the real
 * cron job wiring of src/sms/jobs.ts), for the given seconds per rate. Prints the
 * most messages in any sliding one-second window, the shortest span of
 * limit + 1 messages, the mean rate, and whether any number got two. Drops the
 * database again.
 */
import { fileURLToPath } from "node:url";
import { smsJobs } from "../src/sms/jobs.js";
import { createBenchDatabase, runIfInstance, runInstances, spacing, startFakeTwilio } from "./rate-harness.js";
import { seedDueSurveys } from "./seed-due-surveys.js";

// --- worker: one SMS sender instance, as its own process ---
await runIfInstance({
  config: (env) => ({ SMS_PER_SECOND: env.cps }),
  jobs: smsJobs,
  warmUp: (ctx) => ctx.prisma.surveySms.count({ where: { state: "due" } }),
});

const SECONDS = Number(process.argv[2] ?? 20);
const RATES = (process.argv[3] ?? "1,4").split(",").map(Number);
const SURVEYS = 500;

// --- fake Twilio: records when each messages.create arrives ---
const fake = await startFakeTwilio({
  resource: "Messages",
  sidPrefix: "SM",
  otherwise: { status: 404, body: { code: 20404, message: "not found", status: 404 } },
});

// --- fresh database: surveys ended unanswered, each with its SMS due ---
const bench = await createBenchDatabase("nki_bench_sms");
const seedDb = bench.db;
const { numberKey } = await seedDueSurveys(seedDb, {
  slug: "bench",
  name: "Benchkommun",
  count: SURVEYS,
  externalPrefix: "sms",
});
await seedDb.$executeRaw`UPDATE "Organization" SET settings = settings || '{"smsFallback": true}'::jsonb`;
await seedDb.$executeRaw`UPDATE "SurveyCall" SET state = 'no_answer', attempts = 2, outcome = 'no_answer', "endedAt" = now()`;

const rows: string[] = [];
for (const cps of RATES) {
  await seedDb.surveySms.deleteMany({});
  await seedDb.dispatchThrottle.deleteMany({});
  await seedDb.$executeRaw`INSERT INTO "SurveySms" (id, "surveyId", "organizationId", "dueAt")
    SELECT gen_random_uuid(), id, "organizationId", now() FROM "SurveyCall"`;
  const { started, stats } = await runInstances(fileURLToPath(import.meta.url), ["sms-a", "sms-b"], {
    url: bench.url,
    apiUrl: fake.apiUrl,
    account: fake.account,
    numberKey: numberKey.toString("base64"),
    cps: String(cps),
    seconds: String(SECONDS),
  });
  const missed = stats.reduce((a, b) => a + b.missed, 0);
  const { n, span, mean, max, tightest, twice } = spacing(fake.arrivals, started, cps);
  const line = `| ${cps} | ${n} | ${span.toFixed(1)} s | ${max} | ${Math.round(tightest)} ms | ${mean.toFixed(3)} | ${missed} | ${twice === 0 ? "none" : `${twice} DUPLICATES`} | ${stats.map((s) => s.used).join(" / ")} |`;
  console.log(line);
  rows.push(line);
}

console.log(
  "\n| limit (SMS/s) | messages | first → last | max in any 1-s window | shortest span of limit + 1 | mean SMS/s | slots missed | sent twice | sent by instance a / b |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
await bench.drop();
fake.close();
