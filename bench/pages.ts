/**
 * First render of every page of the web app on demo-sized data: 6 svarsgrupper,
 * 17 agents, ~20,000 answers over one tertial. Measures server time to the full
 * HTML over loopback (request sent → last byte), cold (first request) and warm
 * (median and p95 of 15 more). Run: npx tsx bench/pages.ts [--warm-up]
 * On PGlite by default; TEST_DATABASE_URL=postgresql://… for a real server.
 */
import { randomUUID } from "node:crypto";
import { createTestDatabase } from "../test/support/db.js";
import { createTestContext, startTestApp } from "../test/support/context.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "../test/browser/web-client.js";
import { QUESTIONS } from "../test/browser/factories.js";
import { rebuildRollups } from "../src/results/rollup.js";
import { warmUpPages } from "../src/web/warm-up.js";

const NOW = new Date("2026-04-22T10:00:00Z"); // late in tertial P1 2026
const ANSWERS = 20_000;
const WARM_RUNS = 15;

const db = await createTestDatabase();
const ctx = await createTestContext(db, { now: NOW, env: { LOG_LEVEL: "error" } });
ctx.logger.silent = true;
const org = ctx.organizationId;

const t0 = performance.now();
const groups = await Promise.all(
  ["val1", "val2", "val3", "val4", "foretagslotsen", "ej-val"].map((k) => makeGroup(ctx, k, `Grupp ${k}`)),
);
const agentUser = await makeUser(ctx, "agent", { name: "Bench Agent 01", agentExternalId: "bench-agent-01" });
const agents = [agentUser.agent!];
for (let i = 2; i <= 17; i++)
  agents.push(
    (
      await makeUser(ctx, "agent", {
        name: `Bench Agent ${i}`,
        agentExternalId: `bench-agent-${String(i).padStart(2, "0")}`,
      })
    ).agent!,
  );
const manager = await makeUser(ctx, "manager");
const admin = await makeUser(ctx, "admin");
await db.prisma.target.createMany({
  data: [
    {
      organizationId: org,
      questionKey: "bemotande",
      metric: "mean",
      threshold: 4.3,
      validFrom: new Date("2026-01-01"),
    },
    { organizationId: org, questionKey: "kunskap", metric: "mean", threshold: 4.0, validFrom: new Date("2026-01-01") },
    {
      organizationId: org,
      questionKey: "overall",
      metric: "satisfiedShare",
      threshold: 0.75,
      validFrom: new Date("2026-01-01"),
    },
  ],
});

// Bulk rows: surveys spread over 1 Jan – now, every question answered.
let seed = 11;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const surveys = Math.ceil(ANSWERS / QUESTIONS.length);
const start = new Date("2026-01-01T07:00:00Z").getTime();
const span = NOW.getTime() - start;
const calls = [],
  surveyRows = [],
  answers = [];
for (let i = 0; i < surveys; i++) {
  const agent = agents[i % agents.length];
  const group = groups[Math.floor(rnd() * groups.length)];
  const at = new Date(start + rnd() * span);
  const callId = randomUUID();
  const surveyId = randomUUID();
  calls.push({
    id: callId,
    organizationId: org,
    externalCallId: `b-${i}`,
    agentId: agent.id,
    groupId: group.id,
    queueSeconds: 60,
    talkSeconds: 120,
    startedAt: at,
    endedAt: at,
    decision: "scheduled",
  });
  surveyRows.push({
    id: surveyId,
    organizationId: org,
    completedCallId: callId,
    groupId: group.id,
    agentId: agent.id,
    state: "completed" as const,
    expiresAt: at,
    flowId: "nki-sv",
    flowVersion: "bench",
  });
  for (const q of QUESTIONS)
    answers.push({
      surveyId,
      organizationId: org,
      groupId: group.id,
      agentId: agent.id,
      flowId: "nki-sv",
      flowVersion: "bench",
      questionKey: q,
      score: Math.max(1, Math.min(5, Math.round(3.2 + rnd() * 2.3))),
      answeredAt: at,
    });
}
const chunk = <T>(xs: T[], n = 2000) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
for (const c of chunk(calls)) await db.prisma.completedCall.createMany({ data: c });
for (const c of chunk(surveyRows)) await db.prisma.surveyCall.createMany({ data: c });
for (const c of chunk(answers)) await db.prisma.answer.createMany({ data: c });
await rebuildRollups(db.prisma, org);
console.log(
  `seeded ${groups.length} groups, ${agents.length} agents, ${answers.length} answers in ${((performance.now() - t0) / 1000).toFixed(1)} s (${process.env.TEST_DATABASE_URL ? "PostgreSQL server" : "PGlite"})`,
);

const app = await startTestApp(ctx);
const clients = {
  anonymous: new WebClient(app.url),
  agent: new WebClient(app.url),
  manager: new WebClient(app.url),
  admin: new WebClient(app.url),
};
await clients.agent.signIn(agentUser.user.email, TEST_PASSWORD);
await clients.manager.signIn(manager.user.email, TEST_PASSWORD);
await clients.admin.signIn(admin.user.email, TEST_PASSWORD);

const pages: [keyof typeof clients, string][] = [
  ["anonymous", "/login"],
  ["agent", "/me?p=today"],
  ["agent", "/me?p=week"],
  ["agent", "/me?p=period"],
  ["manager", "/overview?p=week"],
  ["manager", "/overview?p=month"],
  ["manager", "/overview?p=tertial"],
  ["admin", "/admin"],
  ["admin", "/admin/targets"],
  ["admin", "/admin/users"],
  ["admin", "/admin/audit"],
];

async function timed(client: WebClient, path: string): Promise<number> {
  const t = performance.now();
  const res = await client.get(path);
  await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return performance.now() - t;
}

// --warm-up: what startService does after listening (src/web/warm-up.ts), so "first" is what a
// user opening a page on a started service sees; without it, the first render of a cold process.
const warmedUp = process.argv.includes("--warm-up");
if (warmedUp) await warmUpPages(ctx, org);
const rows: string[] = [];
for (const [who, path] of pages) {
  const first = await timed(clients[who], path);
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(clients[who], path));
  warm.sort((a, b) => a - b);
  const p = (q: number) => warm[Math.min(warm.length - 1, Math.floor(q * warm.length))];
  rows.push(`| ${path} | ${who} | ${first.toFixed(0)} | ${p(0.5).toFixed(0)} | ${p(0.95).toFixed(0)} |`);
}
console.log(`\nfirst render ${warmedUp ? "after the start-up warm-up" : "in a cold process (no warm-up)"}`);
console.log("\n| page | as | first render ms | warm p50 ms | warm p95 ms |\n|---|---|---|---|---|\n" + rows.join("\n"));
await app.close();
await db.close();
process.exit(0);
