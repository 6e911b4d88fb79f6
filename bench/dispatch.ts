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
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { AppContext } from "../src/context.js";
import { dispatchJobs } from "../src/dispatch/jobs.js";
import { startJobs } from "../src/jobs/index.js";
import { slotStats } from "../src/dispatch/throttle.js";
import { loadConfig } from "../src/lib/config.js";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma } from "../src/lib/db.js";
import { seedDueSurveys } from "./seed-due-surveys.js";
import { createLocalEventBus } from "../src/lib/events.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { createLocalStorage } from "../src/recordings/storage.js";
import { createTwilioClient } from "../src/telephony/client.js";

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
    DISPATCH_CALLS_PER_SECOND: env.cps,
    DISPATCH_MAX_CONCURRENT: "1000",
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

// --- worker: one dispatcher instance, as its own process ---
if (process.argv[2] === "--instance") {
  const env = JSON.parse(process.argv[3]) as Record<string, string>;
  const ctx = instance(env);
  // Start-up (module loading, Prisma's first queries) is not what is measured: warm up, then wait for "go".
  await ctx.prisma.surveyCall.count({ where: { state: "scheduled" } });
  await ctx.prisma.$queryRaw`SELECT 1`;
  const go = new Promise((r) => process.once("message", r));
  process.send!("ready");
  await go;
  const scheduler = startJobs(
    ctx,
    dispatchJobs.filter((j) => j.id === "dispatch-tick"),
  );
  await new Promise((r) => setTimeout(r, Number(env.seconds) * 1000));
  await scheduler.stop();
  await ctx.prisma.$disconnect();
  process.send!({ missed: slotStats.missed, used: slotStats.used });
  process.exit(0);
}

const SECONDS = Number(process.argv[2] ?? 30);
const RATES = (process.argv[3] ?? "5,10").split(",").map(Number);
const SURVEYS = 10_000;
const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const ACCOUNT = `AC${randomBytes(16).toString("hex")}`;

// --- fake Twilio: records when each calls.create arrives ---
const arrivals: { at: number; to: string }[] = [];
const fake = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.method === "POST" && req.url?.endsWith("/Calls.json")) {
      const at = performance.timeOrigin + performance.now();
      const to = new URLSearchParams(body).get("To") ?? "";
      arrivals.push({ at, to });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ sid: `CA${randomBytes(16).toString("hex")}`, account_sid: ACCOUNT, to, status: "queued" }),
      );
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ sid: ACCOUNT, status: "active" }));
    }
  });
});
await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
const apiUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

// --- fresh database with 10,000 due surveys ---
const dbName = `nki_bench_dispatch_${randomBytes(4).toString("hex")}`;
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
  externalPrefix: "bench",
});

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
  arrivals.length = 0;
  await seedDb.dispatchThrottle.deleteMany({});
  const children = ["bench-a", "bench-b"].map((name) => {
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
  const missed = stats.reduce((a, b) => a + b.missed, 0);
  const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
  const n = times.length;
  const span = (times[n - 1] - times[0]) / 1000;
  const mean = (n - 1) / span;
  const max = maxInWindow(times, 1000);
  // How close the busiest stretch came to the limit: the shortest time cps + 1 consecutive calls took.
  let tightest = Infinity;
  for (let i = 0; i + cps < n; i++) tightest = Math.min(tightest, times[i + cps] - times[i]);
  const distinct = new Set(arrivals.map((a) => a.to)).size;
  const byInstance = await seedDb.surveyCall.groupBy({ by: ["claimedBy"], where: { state: "dialling" }, _count: true });
  const line = `| ${cps} | ${n} | ${span.toFixed(1)} s | ${max} | ${Math.round(tightest)} ms | ${mean.toFixed(3)} | ${((mean / cps) * 100).toFixed(1)} % | ${missed} | ${distinct === n ? "none" : `${n - distinct} DUPLICATES`} | ${byInstance.map((b) => `${b.claimedBy}: ${b._count}`).join(", ")} |`;
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

await seedDb.$disconnect();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();
fake.close();
