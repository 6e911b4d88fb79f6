/**
 * What the two rate benchmarks share (bench/dispatch.ts for calls, bench/sms-rate.ts
 * for SMS): a fresh database on the PostgreSQL server at 127.0.0.1:5432; a fake
 * Twilio on loopback that answers one create resource at once and notes when each
 * request arrived; two service instances, each its own process (own pool and
 * twilio-node client, the real cron job wiring), started together on "go"; and the
 * spacing of the arrivals against the limit.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { AppContext } from "../src/context.js";
import { slotStats } from "../src/dispatch/throttle.js";
import { startJobs, type Job } from "../src/jobs/index.js";
import { loadConfig } from "../src/lib/config.js";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma, type Prisma } from "../src/lib/db.js";
import { createLocalEventBus } from "../src/lib/events.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { createLocalStorage } from "../src/recordings/storage.js";
import { createTwilioClient } from "../src/telephony/client.js";

const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const ACCOUNT_TOKEN = "bench-token-0123456789";

/** What the main process passes to each instance process. */
export type InstanceEnv = Record<"url" | "apiUrl" | "account" | "numberKey" | "cps" | "name" | "seconds", string>;

/** One service instance's context, configured as production would be, with `config` added (e.g. the rate). */
function benchInstance(env: InstanceEnv, config: Record<string, string>): AppContext {
  const twilioCredentials = {
    accountSid: env.account,
    authToken: ACCOUNT_TOKEN,
    fromNumber: "+46850000000",
    apiUrl: env.apiUrl,
  };
  return {
    config: loadConfig({
      NODE_ENV: "production",
      DATABASE_URL: env.url,
      PUBLIC_BASE_URL: "https://nki.example.test",
      NUMBER_KEY: env.numberKey,
      // Production refuses to start without an audio key; the benches store no messages, so any key does.
      AUDIO_KEY: randomBytes(32).toString("base64"),
      TWILIO_ACCOUNT_SID: env.account,
      TWILIO_AUTH_TOKEN: ACCOUNT_TOKEN,
      TWILIO_FROM_NUMBER: twilioCredentials.fromNumber,
      TWILIO_API_URL: env.apiUrl,
      DATA_DIR: path.join(tmpdir(), "nki-bench"),
      ...config,
    }),
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

/** The instance process's side: true when this process is one (then it has run and exited). */
export async function runIfInstance(o: {
  config: (env: InstanceEnv) => Record<string, string>;
  jobs: Job[];
  /** Start-up (module loading, Prisma's first queries) is not what is measured: warm up before "go". */
  warmUp: (ctx: AppContext) => Promise<unknown>;
}): Promise<boolean> {
  if (process.argv[2] !== "--instance") return false;
  const env = JSON.parse(process.argv[3]) as InstanceEnv;
  const ctx = benchInstance(env, o.config(env));
  await o.warmUp(ctx);
  const go = new Promise((r) => process.once("message", r));
  process.send!("ready");
  await go;
  const scheduler = startJobs(ctx, o.jobs);
  await new Promise((r) => setTimeout(r, Number(env.seconds) * 1000));
  await scheduler.stop();
  await ctx.prisma.$disconnect();
  process.send!({ missed: slotStats.missed, used: slotStats.used });
  process.exit(0);
}

export interface Arrival {
  at: number;
  to: string;
}

/** A fake Twilio answering POST …/<resource>.json at once with a new sid, noting when each arrived. */
export async function startFakeTwilio(o: {
  resource: "Calls" | "Messages";
  sidPrefix: "CA" | "SM";
  /** What any other request gets. */
  otherwise: { status: number; body: unknown };
}) {
  const account = `AC${randomBytes(16).toString("hex")}`;
  const arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "POST" && req.url?.endsWith(`/${o.resource}.json`)) {
        const to = new URLSearchParams(body).get("To") ?? "";
        arrivals.push({ at: performance.timeOrigin + performance.now(), to });
        const sid = `${o.sidPrefix}${randomBytes(16).toString("hex")}`;
        res.writeHead(201).end(JSON.stringify({ sid, account_sid: account, to, status: "queued" }));
      } else {
        res.writeHead(o.otherwise.status).end(JSON.stringify(o.otherwise.body));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    account,
    arrivals,
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

/** A fresh, migrated database named `<prefix>_<random>`; `drop()` removes it again. */
export async function createBenchDatabase(prefix: string) {
  const dbName = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = ADMIN.replace(/\/postgres$/, `/${dbName}`);
  await migrate(url, createLogger("error"));
  const db: Prisma = createPrisma(url, 2);
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Forks one process per name from `file` (which calls runIfInstance), sends "go" to all at once, awaits their stats. */
export async function runInstances(file: string, names: string[], env: Omit<InstanceEnv, "name">) {
  const children = names.map((name) => {
    const child = fork(file, ["--instance", JSON.stringify({ ...env, name })], { execArgv: ["--import", "tsx"] });
    const ready = new Promise((r) => child.once("message", r));
    const done = new Promise<{ missed: number; used: number }>((resolve, reject) => {
      child.on("message", (m) => typeof m === "object" && resolve(m as { missed: number; used: number }));
      child.once("exit", (code) => code !== 0 && reject(new Error(`instance ${name} exited with ${code}`)));
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  const started = performance.timeOrigin + performance.now();
  for (const c of children) c.child.send("go");
  return { started, stats: await Promise.all(children.map((c) => c.done)) };
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** How the arrivals since `since` are spaced against a limit of `cps` a second. */
export function spacing(arrivals: Arrival[], since: number, cps: number) {
  const kept = arrivals.filter((a) => a.at >= since);
  const times = kept.map((a) => a.at).sort((a, b) => a - b);
  const n = times.length;
  const span = (times[n - 1] - times[0]) / 1000;
  // How close the busiest stretch came to the limit: the shortest time cps + 1 consecutive requests took.
  let tightest = Infinity;
  for (let i = 0; i + cps < n; i++) tightest = Math.min(tightest, times[i + cps] - times[i]);
  return {
    n,
    span,
    mean: (n - 1) / span,
    max: maxInWindow(times, 1000),
    tightest,
    twice: n - new Set(kept.map((a) => a.to)).size,
  };
}
