/**
 * Listening queue with 2,000 voice messages in one week (plus 30 carried over
 * from the week before, seven answers each): server time to render /queue
 * (first page and a deep page) and to save a review action, p50/p95.
 *
 *   npx tsx bench/queue.ts [--db postgres|embedded|both] [--renders 60] [--actions 100]
 *
 * PostgreSQL: a fresh database on 127.0.0.1:5432 (dropped afterwards).
 * Embedded: in-memory PGlite over its socket, as `npm start` uses it.
 * Timed from a client on loopback, one request at a time.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createApp } from "../src/app.js";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { createSession } from "../src/auth/sessions.js";
import type { AppContext } from "../src/context.js";
import { loadConfig } from "../src/lib/config.js";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma, startEmbeddedPostgres, type Prisma } from "../src/lib/db.js";
import { createLocalEventBus } from "../src/lib/events.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";
import { createLocalStorage } from "../src/recordings/storage.js";
import { loadFlows } from "../src/survey/flows.js";
import { createTwilioClient } from "../src/telephony/client.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const WHICH = arg("db", "both");
const RENDERS = Number(arg("renders", "60"));
const ACTIONS = Number(arg("actions", "100"));
const MESSAGES = 2000;
const CARRIED = 30;
const NOW = new Date("2025-04-02T10:00:00Z"); // Wednesday of 2025-W14
const WEEK_START = Date.parse("2025-03-30T22:00:00Z");
const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];

async function buildContext(url: string): Promise<{ ctx: AppContext; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "nki-bench-queue-"));
  const config = loadConfig({
    NODE_ENV: "development",
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    PUBLIC_BASE_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  });
  const creds = {
    accountSid: `AC${"0".repeat(32)}`,
    authToken: randomBytes(16).toString("hex"),
    fromNumber: "+46850000000",
  };
  const ctx = {
    config,
    prisma: createPrisma(url, 10),
    logger: createLogger("warn"),
    numbers: createNumberCrypto(randomBytes(32)),
    events: createLocalEventBus(),
    now: () => NOW,
    instanceId: "bench",
    twilio: createTwilioClient(creds),
    twilioCredentials: creds,
    storage: createLocalStorage(path.join(dataDir, "recordings")),
    flows: loadFlows(),
  };
  return { ctx, dataDir };
}

async function seed(prisma: Prisma, orgId: string): Promise<string[]> {
  const groups = await Promise.all([1, 2, 3, 4].map((g) => ensureGroup(prisma, orgId, `val${g}`, `Val ${g}`)));
  const agents = await Promise.all(
    Array.from({ length: 17 }, (_, a) => ensureAgent(prisma, orgId, `ag-${a}`, `Agent ${a}`)),
  );
  const total = MESSAGES + CARRIED;
  const ids: string[] = [];
  for (let from = 0; from < total; from += 500) {
    const rows = Array.from({ length: Math.min(500, total - from) }, (_, k) => {
      const i = from + k;
      // 2,000 spread over the week; 30 unreviewed from the week before.
      const at =
        i < MESSAGES
          ? new Date(WEEK_START + Math.floor((i * 7 * 86_400_000) / MESSAGES))
          : new Date(WEEK_START - (i - MESSAGES + 1) * 3_600_000);
      const g = groups[i % groups.length];
      const a = agents[i % agents.length];
      return { i, at, g, a, callId: randomUUID(), surveyId: randomUUID(), vmId: randomUUID() };
    });
    await prisma.completedCall.createMany({
      data: rows.map((r) => ({
        id: r.callId,
        organizationId: orgId,
        externalCallId: `b-${r.i}`,
        agentId: r.a.id,
        groupId: r.g.id,
        queueSeconds: 40,
        talkSeconds: 150,
        startedAt: new Date(r.at.getTime() - 600_000),
        endedAt: new Date(r.at.getTime() - 300_000),
        decision: "scheduled",
      })),
    });
    await prisma.surveyCall.createMany({
      data: rows.map((r) => ({
        id: r.surveyId,
        organizationId: orgId,
        completedCallId: r.callId,
        groupId: r.g.id,
        agentId: r.a.id,
        state: "completed" as const,
        expiresAt: new Date(r.at.getTime() + 3_600_000),
        flowId: "nki-sv",
        flowVersion: "1",
      })),
    });
    await prisma.answer.createMany({
      data: rows.flatMap((r) =>
        KEYS.map((k, q) => ({
          surveyId: r.surveyId,
          organizationId: orgId,
          groupId: r.g.id,
          agentId: r.a.id,
          flowId: "nki-sv",
          flowVersion: "1",
          questionKey: k,
          score: 1 + ((r.i + q) % 5),
          answeredAt: r.at,
        })),
      ),
    });
    await prisma.voiceMessage.createMany({
      data: rows.map((r) => {
        const reviewed = r.i < MESSAGES && r.i % 3 === 0;
        return {
          id: r.vmId,
          surveyId: r.surveyId,
          organizationId: orgId,
          groupId: r.g.id,
          agentId: r.a.id,
          recordingSid: `RE${r.vmId.replace(/-/g, "")}`,
          state: "stored" as const,
          storageKey: `bench/${r.vmId}.wav`,
          contentType: "audio/wav",
          durationSeconds: 5 + (r.i % 60),
          sizeBytes: 80_000,
          recordedAt: r.at,
          classification: reviewed ? "inget" : null,
          reviewedAt: reviewed ? new Date(r.at.getTime() + 86_400_000) : null,
        };
      }),
    });
    ids.push(...rows.map((r) => r.vmId));
  }
  return ids;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const summary = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

/** CPU time this process spent per timed request (server + in-process PGlite + the client's fetch): less sensitive to a busy machine than wall time. */
const cpu: number[] = [];
async function timed(f: () => Promise<Response>): Promise<number> {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const res = await f();
  await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ms;
}
const cpuSince = (from: number) => `; CPU in this process p50 ${pct(cpu.slice(from), 50).toFixed(1)} ms`;

async function run(label: string, url: string) {
  console.log(`\n${label}`);
  await migrate(url);
  const { ctx, dataDir } = await buildContext(url);
  const org = await ensureOrganization(ctx.prisma, {
    slug: "bench",
    name: "Benchkommun",
    timeZone: "Europe/Stockholm",
  });
  const manager = await ctx.prisma.user.create({
    data: {
      organizationId: org.id,
      email: `m-${randomBytes(3).toString("hex")}@bench.test`,
      name: "Bench Manager",
      role: "manager",
    },
  });
  let t = Date.now();
  const ids = await seed(ctx.prisma, org.id);
  console.log(
    `  seeded ${MESSAGES} + ${CARRIED} carried-over messages, ${(MESSAGES + CARRIED) * KEYS.length} answers in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  const { id: sid, session } = await createSession(ctx.prisma, {
    userId: manager.id,
    now: NOW,
    policy: sessionPolicy(ctx.config),
  });
  const headers = { cookie: `${sessionCookieName(ctx.config)}=${sid}`, accept: "text/html" };

  const server: Server = await new Promise((resolve) => {
    const s = createApp(ctx).listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const first = await timed(() => fetch(`${base}/queue`, { headers }));
    console.log(`  very first render (cold process): ${first.toFixed(1)} ms`);
    for (let i = 0; i < 5; i++) await timed(() => fetch(`${base}/queue`, { headers }));
    let mark = cpu.length;
    const page1: number[] = [];
    for (let i = 0; i < RENDERS; i++) page1.push(await timed(() => fetch(`${base}/queue`, { headers })));
    console.log(`  GET /queue (page 1 of ${Math.ceil((MESSAGES + CARRIED) / 50)}): ${summary(page1)}${cpuSince(mark)}`);
    mark = cpu.length;
    const deep: number[] = [];
    for (let i = 0; i < Math.ceil(RENDERS / 2); i++)
      deep.push(await timed(() => fetch(`${base}/queue?week=2025-W14&page=${30 + (i % 10)}`, { headers })));
    console.log(`  GET /queue?page=30..39 (reviewed part): ${summary(deep)}${cpuSince(mark)}`);
    mark = cpu.length;
    const actions: number[] = [];
    t = Date.now();
    for (let i = 0; i < ACTIONS; i++) {
      const id = ids[(i * 7 + 1) % MESSAGES];
      const body =
        i % 2 === 0
          ? { classification: "fraga", note: `bench ${i}`, listened: true }
          : {
              classification: "klagomal",
              caseReference: `FX-${i}`,
              registered: true,
              forvaltning: "Socialförvaltningen",
            };
      actions.push(
        await timed(() =>
          fetch(`${base}/queue/messages/${id}`, {
            method: "POST",
            headers: {
              ...headers,
              accept: "application/json",
              "content-type": "application/json",
              "x-csrf-token": session.data.csrf,
            },
            body: JSON.stringify(body),
          }),
        ),
      );
    }
    console.log(`  POST /queue/messages/:id (review action with audit rows): ${summary(actions)}${cpuSince(mark)}`);
    console.log(
      `  load average after: ${(await import("node:os"))
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
    );
    return { page1, deep, actions, first };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await ctx.prisma.$disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (WHICH === "postgres" || WHICH === "both") {
  const name = `nki_bench_queue_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    await run("PostgreSQL 15 (127.0.0.1:5432, fresh database)", `postgresql://postgres@127.0.0.1:5432/${name}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
if (WHICH === "embedded" || WHICH === "both") {
  const server = await startEmbeddedPostgres({});
  try {
    await run("Embedded PostgreSQL (PGlite in memory over its socket)", server.url);
  } finally {
    await server.stop();
  }
}
