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
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { AppContext } from "../src/context.js";
import { startJobs } from "../src/jobs/index.js";
import { slotStats } from "../src/dispatch/throttle.js";
import { loadConfig } from "../src/lib/config.js";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma } from "../src/lib/db.js";
import { createLocalEventBus } from "../src/lib/events.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { createLocalStorage } from "../src/recordings/storage.js";
import { smsJobs } from "../src/sms/jobs.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { seedDueSurveys } from "./seed-due-surveys.js";

const ACCOUNT_TOKEN = "bench-token-0123456789";

function instance(env: Record<string, string>): AppContext {
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: env.url,
    PUBLIC_BASE_URL: "https://nki.example.test",
    NUMBER_KEY: env.numberKey,
    // Production refuses to start without an audio key; the bench stores no messages, so any key does.
    AUDIO_KEY: randomBytes(32).toString("base64"),
    TWILIO_ACCOUNT_SID: env.account,
    TWILIO_AUTH_TOKEN: ACCOUNT_TOKEN,
    TWILIO_FROM_NUMBER: "+46850000000",
    TWILIO_API_URL: env.apiUrl,
    SMS_PER_SECOND: env.cps,
    DATA_DIR: path.join(tmpdir(), "nki-bench"),
  });
  const twilioCredentials = {
    accountSid: env.account,
    authToken: ACCOUNT_TOKEN,
    fromNumber: "+46850000000",
    apiUrl: env.apiUrl,
  };
  return {
    config,
    prisma: createPrisma(env.url, 5),
    logger: createLogger("error"),
    numbers: createNumberCrypto(Buffer.from(env.numberKey, "base64")),
    events: createLocalEventBus(),
    now: () => new Date(),
    instanceId: env.name,
    twilio: createTwilioClient(twilioCredentials),
    twilioCredentials,
    storage: createLocalStorage(path.join(tmpdir(), "nki-bench", "rec")),
  } as AppContext;
}

// --- worker: one SMS sender instance, as its own process ---
if (process.argv[2] === "--instance") {
  const env = JSON.parse(process.argv[3]) as Record<string, string>;
  const ctx = instance(env);
  await ctx.prisma.surveySms.count({ where: { state: "due" } });
  const go = new Promise((r) => process.once("message", r));
  process.send!("ready");
  await go;
  const scheduler = startJobs(ctx, smsJobs);
  await new Promise((r) => setTimeout(r, Number(env.seconds) * 1000));
  await scheduler.stop();
  await ctx.prisma.$disconnect();
  process.send!({ missed: slotStats.missed, used: slotStats.used });
  process.exit(0);
}

const SECONDS = Number(process.argv[2] ?? 20);
const RATES = (process.argv[3] ?? "1,4").split(",").map(Number);
const SURVEYS = 500;
const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const ACCOUNT = `AC${randomBytes(16).toString("hex")}`;

// --- fake Twilio: records when each messages.create arrives ---
const arrivals: { at: number; to: string }[] = [];
const fake = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.method === "POST" && req.url?.endsWith("/Messages.json")) {
      const at = performance.timeOrigin + performance.now();
      const to = new URLSearchParams(body).get("To") ?? "";
      arrivals.push({ at, to });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ sid: `SM${randomBytes(16).toString("hex")}`, account_sid: ACCOUNT, to, status: "queued" }),
      );
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 20404, message: "not found", status: 404 }));
    }
  });
});
await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
const apiUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

// --- fresh database: surveys ended unanswered, each with its SMS due ---
const dbName = `nki_bench_sms_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = ADMIN.replace(/\/postgres$/, `/${dbName}`);
await migrate(url, createLogger("error"));
const seedDb = createPrisma(url, 2);
const { numberKey } = await seedDueSurveys(seedDb, {
  slug: "bench",
  name: "Benchkommun",
  count: SURVEYS,
  externalPrefix: "sms",
});
await seedDb.$executeRaw`UPDATE "Organization" SET settings = settings || '{"smsFallback": true}'::jsonb`;
await seedDb.$executeRaw`UPDATE "SurveyCall" SET state = 'no_answer', attempts = 2, outcome = 'no_answer', "endedAt" = now()`;

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const rows: string[] = [];
for (const cps of RATES) {
  await seedDb.surveySms.deleteMany({});
  await seedDb.dispatchThrottle.deleteMany({});
  await seedDb.$executeRaw`INSERT INTO "SurveySms" (id, "surveyId", "organizationId", "dueAt")
    SELECT gen_random_uuid(), id, "organizationId", now() FROM "SurveyCall"`;
  const children = ["sms-a", "sms-b"].map((name) => {
    const env = {
      url,
      apiUrl,
      account: ACCOUNT,
      numberKey: numberKey.toString("base64"),
      cps: String(cps),
      name,
      seconds: String(SECONDS),
    };
    const child = fork(fileURLToPath(import.meta.url), ["--instance", JSON.stringify(env)], {
      execArgv: ["--import", "tsx"],
    });
    const ready = new Promise((r) => child.once("message", r));
    const done = new Promise<{ missed: number; used: number }>((resolve, reject) => {
      child.on("message", (m) => typeof m === "object" && resolve(m as { missed: number; used: number }));
      child.once("exit", (code) => code !== 0 && reject(new Error(`instance ${name} exited with ${code}`)));
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  arrivals.length = 0;
  for (const c of children) c.child.send("go");
  const stats = await Promise.all(children.map((c) => c.done));
  const used = stats.map((s) => s.used);
  const missed = stats.reduce((a, b) => a + b.missed, 0);
  const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
  const n = times.length;
  const span = (times[n - 1] - times[0]) / 1000;
  let tightest = Infinity;
  for (let i = 0; i + cps < n; i++) tightest = Math.min(tightest, times[i + cps] - times[i]);
  const distinct = new Set(arrivals.map((a) => a.to)).size;
  const line = `| ${cps} | ${n} | ${span.toFixed(1)} s | ${maxInWindow(times, 1000)} | ${Math.round(tightest)} ms | ${((n - 1) / span).toFixed(3)} | ${missed} | ${distinct === n ? "none" : `${n - distinct} DUPLICATES`} | ${used.join(" / ")} |`;
  console.log(line);
  rows.push(line);
}

console.log(
  "\n| limit (SMS/s) | messages | first → last | max in any 1-s window | shortest span of limit + 1 | mean SMS/s | slots missed | sent twice | sent by instance a / b |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
await seedDb.$disconnect();
await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
await admin.end();
fake.close();
