/**
 * Chaos: two service processes on one PostgreSQL, a fake Twilio on loopback,
 * and an adversary that kill -9s (then restarts) and SIGSTOPs/SIGCONTs them at
 * random moments while they dispatch. Counts calls.create per survey at the
 * fake, surveys not final after the settle time, and the longest time a survey
 * took from its first claim to a final state.
 *
 *   npx tsx bench/chaos.ts [--surveys 5000] [--cps 10] [--pause-min 30] [--pause-max 120]
 *                          [--gap-min 10] [--gap-max 40] [--settle 300] [--max-minutes 30] [--seed 1]
 *
 * A fresh database on 127.0.0.1:5432, dropped at the end. Every fake call is
 * answered and ends 2 s later ("completed", so the survey ends final without a
 * retry); its status callback is signed like Twilio's and delivered to a live
 * instance, retried every 5 s for up to 2 min while none answers 2xx. Chaos
 * stops once every survey has been claimed at least once (or at --max-minutes);
 * then both instances run undisturbed for --settle seconds (the reconciliation
 * of stale claims needs about 1.5 min).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import twilio from "twilio";
import { createPrisma } from "../src/lib/db.js";
import { seedDueSurveys } from "./seed-due-surveys.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";

const { values: o } = parseArgs({
  options: {
    surveys: { type: "string", default: "5000" },
    cps: { type: "string", default: "10" },
    "pause-min": { type: "string", default: "30" },
    "pause-max": { type: "string", default: "120" },
    "gap-min": { type: "string", default: "10" },
    "gap-max": { type: "string", default: "40" },
    settle: { type: "string", default: "300" },
    "max-minutes": { type: "string", default: "30" },
    seed: { type: "string", default: "1" },
  },
});
const SURVEYS = Number(o.surveys);
const num = (k: keyof typeof o) => Number(o[k]);
// A small seeded PRNG (mulberry32), so a run's chaos can be repeated.
let seed = num("seed") >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const between = (a: number, b: number) => a + rand() * (b - a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${msg}`);

const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const ACCOUNT = `AC${randomBytes(16).toString("hex")}`;
const TOKEN = randomBytes(16).toString("hex");
const PUBLIC = "https://nki.chaos.test";

// --- fake Twilio ---
interface FakeCall {
  sid: string;
  to: string;
  status: string;
  created: Date;
}
const calls = new Map<string, FakeCall>();
const createsByNumber = new Map<string, number>();
let callbacksLost = 0;
const ports: number[] = [];
const live = new Set<number>(); // instance index → accepting

function resource(c: FakeCall) {
  return {
    sid: c.sid,
    account_sid: ACCOUNT,
    to: c.to,
    from: "+46850000000",
    status: c.status,
    direction: "outbound-api",
    date_created: c.created.toUTCString(),
    date_updated: c.created.toUTCString(),
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${ACCOUNT}/Calls/${c.sid}.json`,
  };
}

function postForm(port: number, pathAndQuery: string, params: Record<string, string>, signature: string) {
  return new Promise<number>((resolve) => {
    const body = new URLSearchParams(params).toString();
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: pathAndQuery,
        method: "POST",
        timeout: 15_000,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          "x-twilio-signature": signature,
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** Like Twilio with connection overrides: retried while no instance answers 2xx. */
async function deliverStatus(c: FakeCall, callbackUrl: string) {
  const url = callbackUrl.split("#")[0];
  const params = { CallSid: c.sid, CallStatus: "completed", CallDuration: "2", AccountSid: ACCOUNT, To: c.to };
  const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);
  const u = new URL(url);
  for (let attempt = 0; attempt < 24; attempt++) {
    const candidates = [...live];
    if (candidates.length > 0) {
      const port = ports[candidates[Math.floor(rand() * candidates.length)]];
      const status = await postForm(port, u.pathname + u.search, params, signature);
      if (status >= 200 && status < 300) return;
    }
    await sleep(5_000);
  }
  callbacksLost++;
}

const fake = http.createServer((req, res) => {
  let body = "";
  req.on("data", (ch) => (body += ch));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://fake");
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(data));
    };
    if (req.method === "POST" && url.pathname.endsWith("/Calls.json")) {
      const form = new URLSearchParams(body);
      const c: FakeCall = {
        sid: `CA${randomBytes(16).toString("hex")}`,
        to: form.get("To") ?? "",
        status: "queued",
        created: new Date(),
      };
      calls.set(c.sid, c);
      createsByNumber.set(c.to, (createsByNumber.get(c.to) ?? 0) + 1);
      json(201, resource(c));
      setTimeout(() => {
        c.status = "completed";
        void deliverStatus(c, form.get("StatusCallback") ?? "");
      }, 2_000);
      return;
    }
    if (req.method === "GET" && url.pathname.endsWith("/Calls.json")) {
      const to = url.searchParams.get("To");
      const listed = [...calls.values()].filter((c) => c.to === to).map(resource);
      return json(200, { calls: listed, next_page_uri: null, page: 0, page_size: 50 });
    }
    const one = /\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(url.pathname);
    if (req.method === "GET" && one) {
      const c = calls.get(one[1]);
      return c ? json(200, resource(c)) : json(404, { code: 20404, message: "not found", status: 404 });
    }
    json(200, { sid: ACCOUNT, status: "active" });
  });
});
await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
const apiUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

// --- fresh database with the surveys, all due now ---
const dbName = `nki_bench_chaos_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = ADMIN.replace(/\/postgres$/, `/${dbName}`);
await migrate(url, createLogger("error"));
const db = createPrisma(url, 2);
const { numberKey } = await seedDueSurveys(db, {
  slug: "chaos",
  name: "Chaoskommun",
  count: SURVEYS,
  externalPrefix: "chaos",
});
log(`${SURVEYS} surveys due in ${dbName}; fake Twilio at ${apiUrl}`);

// --- two service processes ---
for (let i = 0; i < 2; i++) {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  ports.push((s.address() as AddressInfo).port);
  s.close();
}
const procs: (ChildProcess | null)[] = [null, null];
const paused = [false, false];
function startInstance(i: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(ports[i]),
      LOG_LEVEL: "error",
      DATABASE_URL: url,
      DATA_DIR: path.join(tmpdir(), `nki-chaos-${i}`),
      PUBLIC_BASE_URL: PUBLIC,
      NUMBER_KEY: numberKey.toString("base64"),
      // Production refuses to start without an audio key; the bench stores no messages, so any key does.
      AUDIO_KEY: randomBytes(32).toString("base64"),
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM_NUMBER: "+46850000000",
      TWILIO_API_URL: apiUrl,
      DISPATCH_CALLS_PER_SECOND: o.cps,
      DISPATCH_MAX_CONCURRENT: "1000",
      DEFAULT_ORG_SLUG: "chaos-default",
    },
  });
  // node-cron warns of every tick a paused process missed: expected here, not worth printing.
  child.stderr?.on("data", (d: Buffer) => {
    const lines = String(d)
      .split("\n")
      .filter((l) => l.trim() && !l.includes("NODE-CRON"));
    if (lines.length > 0) process.stderr.write(`[instance ${i}] ${lines.join("\n")}\n`);
  });
  procs[i] = child;
  paused[i] = false;
  child.once("exit", () => {
    if (procs[i] === child) {
      procs[i] = null;
      live.delete(i);
    }
  });
  // Accepting callbacks once /healthz answers.
  void (async () => {
    for (let k = 0; k < 120 && procs[i] === child; k++) {
      const ok = await new Promise<boolean>((r) =>
        http
          .get({ host: "127.0.0.1", port: ports[i], path: "/healthz", timeout: 2_000 }, (res) => {
            res.resume();
            r(res.statusCode === 200);
          })
          .on("error", () => r(false)),
      );
      if (ok) {
        if (!paused[i]) live.add(i);
        return;
      }
      await sleep(500);
    }
  })();
}
startInstance(0);
startInstance(1);

const stats = { kills: 0, pauses: 0, pausedSeconds: 0 };
async function counts() {
  const rows = await db.surveyCall.groupBy({ by: ["state"], _count: true });
  return Object.fromEntries(rows.map((r) => [r.state, r._count])) as Record<string, number>;
}

// --- chaos until every survey was claimed once ---
const deadline = started + num("max-minutes") * 60_000;
const pending: Promise<void>[] = [];
while (Date.now() < deadline) {
  await sleep(between(num("gap-min"), num("gap-max")) * 1000);
  const c = await counts();
  log(`states ${JSON.stringify(c)}; calls.create ${[...createsByNumber.values()].reduce((a, b) => a + b, 0)}`);
  if ((c.scheduled ?? 0) === 0) break;
  const candidates = [0, 1].filter((i) => procs[i] && !paused[i]);
  if (candidates.length === 0) continue;
  const i = candidates[Math.floor(rand() * candidates.length)];
  const child = procs[i]!;
  if (rand() < 0.5) {
    stats.kills++;
    log(`kill -9 instance ${i}`);
    live.delete(i);
    child.kill("SIGKILL");
    const back = between(1, 5) * 1000;
    pending.push(sleep(back).then(() => startInstance(i)));
  } else {
    const pauseS = between(num("pause-min"), num("pause-max"));
    stats.pauses++;
    stats.pausedSeconds += pauseS;
    log(`SIGSTOP instance ${i} for ${pauseS.toFixed(0)} s`);
    paused[i] = true;
    live.delete(i);
    child.kill("SIGSTOP");
    pending.push(
      sleep(pauseS * 1000).then(() => {
        if (procs[i] === child) {
          child.kill("SIGCONT");
          paused[i] = false;
          live.add(i);
          log(`SIGCONT instance ${i}`);
        }
      }),
    );
  }
}
await Promise.all(pending);
log(`chaos over; settling for ${o.settle} s`);
const settleEnd = Date.now() + num("settle") * 1000;
while (Date.now() < settleEnd) {
  await sleep(10_000);
  const c = await counts();
  const notFinal = (c.scheduled ?? 0) + (c.dialling ?? 0) + (c.in_progress ?? 0);
  log(`states ${JSON.stringify(c)}`);
  if (notFinal === 0) break;
}

// --- figures ---
const c = await counts();
const notFinal = (c.scheduled ?? 0) + (c.dialling ?? 0) + (c.in_progress ?? 0);
const perNumber = [...createsByNumber.values()];
const twice = perNumber.filter((n) => n > 1).length;
const never = SURVEYS - perNumber.length;
// Stuck: how long each claim held a survey (from "claimed" to the next state change out of dialling or
// in progress: the call's end, a release, a reconciliation). Queue time after a release is not stuck time.
const stuck = await db.$queryRawUnsafe<{ max_s: number; p99_s: number; over_60: number; to_final_s: number }[]>(
  `WITH t AS (
     SELECT extract(epoch FROM coalesce((
              SELECT min(x.at) FROM "SurveyEvent" x
               WHERE x."surveyId" = e."surveyId" AND x.at >= e.at AND x.id > e.id
                 AND x."fromState" IN ('dialling', 'in_progress') AND x."toState" IS NOT NULL
            ), now()) - e.at) AS secs
       FROM "SurveyEvent" e WHERE e.type = 'claimed'
   )
   SELECT max(secs)::float8 AS max_s, percentile_cont(0.99) WITHIN GROUP (ORDER BY secs)::float8 AS p99_s,
          count(*) FILTER (WHERE secs > 60)::int AS over_60,
          (SELECT max(extract(epoch FROM s."endedAt" - s."createdAt")) FROM "SurveyCall" s)::float8 AS to_final_s
     FROM t`,
);
const minutesRun = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`
| surveys | calls/s limit | kill -9 | SIGSTOP (total s) | calls.create | dialled twice | never dialled | not final after settle | longest claim held (stuck) | p99 claim held | claims held > 60 s | last survey final after | callbacks given up | run |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| ${SURVEYS} | ${o.cps} | ${stats.kills} | ${stats.pauses} (${stats.pausedSeconds.toFixed(0)}) | ${perNumber.reduce((a, b) => a + b, 0)} | ${twice} | ${never} | ${notFinal} | ${stuck[0].max_s.toFixed(0)} s | ${stuck[0].p99_s.toFixed(1)} s | ${stuck[0].over_60} | ${stuck[0].to_final_s.toFixed(0)} s | ${callbacksLost} | ${minutesRun} min |
final states: ${JSON.stringify(c)}`);

for (const p of procs) p?.kill("SIGKILL");
await db.$disconnect();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();
fake.close();
process.exit(twice > 0 || notFinal > 0 ? 1 : 0);
