/**
 * Any period's overview, agent page and Tertialrapport at 10 M answers:
 * 3 years of history (2023–2025) over 50 organizations, seeded by
 * bench/period-seed.ts into its own database on the PostgreSQL server.
 * Measures server time to the complete HTML through the app's HTTP routes
 * (request sent → last byte over loopback, session cookie included) for
 * randomly drawn weeks, months, tertials and years, and prints the EXPLAIN
 * (ANALYZE) plans of the trend queries (the series functions), which must
 * read the rollups, never Answer.
 *
 *   npx tsx bench/period-seed.ts --answers 10000000   # once (about 10 min on the shared machine)
 *   npx tsx bench/period-pages.ts [--requests 40] [--seed 7]
 *   npx tsx bench/period-seed.ts --drop
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createPrisma } from "../src/lib/db.js";
import { migrate } from "../src/lib/migrate.js";
import { monthPeriod, tertialPeriod, weekPeriod, yearPeriod, type Period } from "../src/results/periods.js";
import { querySeries, type SeriesInput } from "../src/results/series.js";
import { createTestContext, startTestApp } from "../test/support/context.js";
import { makeUser, TEST_PASSWORD, WebClient } from "../test/browser/web-client.js";
import { benchUrl } from "./period-seed.js";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "40" },
    seed: { type: "string", default: "7" },
    plans: { type: "string", default: "/tmp/period-plans.txt" },
  },
});
const REQUESTS = Number(args.requests);
const NOW = new Date("2025-12-10T10:00:00Z"); // a Wednesday in P3 2025, the last tertial of the history

const url = benchUrl();
await migrate(url);
const prisma = createPrisma(url, 10);
const orgId = "7e5b0000-0000-4000-8000-000000000007"; // organization 7, see bench/period-seed-ids.sql
const db = { prisma, url, close: () => prisma.$disconnect() };
const base = await createTestContext(db, { now: NOW, env: { LOG_LEVEL: "error" } });
base.logger.silent = true;
const ctx = { ...base, organizationId: orgId };
// The seeded agents of organization 7 are ext-7, ext-57, …: sign in as one of them.
const agentUser = await makeUser(ctx, "agent", { agentExternalId: "ext-7", name: "Agent 7" });
const manager = await makeUser(ctx, "manager");
const app = await startTestApp(ctx);
const agent = new WebClient(app.url);
const boss = new WebClient(app.url);
await agent.signIn(agentUser.user.email, TEST_PASSWORD);
await boss.signIn(manager.user.email, TEST_PASSWORD);

let s = Number(args.seed);
const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
/** Any period of the history: a week, a month, a tertial or a year of 2023–2025. */
function anyPeriod(kinds: Period["kind"][] = ["week", "month", "tertial", "year"]): Period {
  const y = pick([2023, 2024, 2025]);
  switch (pick(kinds)) {
    case "week":
      return weekPeriod(y, 1 + Math.floor(rnd() * 52));
    case "month":
      return monthPeriod(y, 1 + Math.floor(rnd() * 12));
    case "tertial":
      return tertialPeriod(y, 1 + Math.floor(rnd() * 3));
    default:
      return yearPeriod(y);
  }
}

const percentile = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
};

async function timeGet(client: WebClient, path: string): Promise<number> {
  const t = performance.now();
  const res = await client.get(path);
  const body = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
  return ms;
}

const cases: { name: string; client: WebClient; path: () => string }[] = [
  { name: "overview, current week (?p=week)", client: boss, path: () => "/overview?p=week" },
  { name: "overview, any period", client: boss, path: () => `/overview?period=${anyPeriod().label}` },
  { name: "agent page, current week (?p=week)", client: agent, path: () => "/me?p=week" },
  { name: "agent page, any period", client: agent, path: () => `/me?period=${anyPeriod().label}` },
  {
    name: "Tertialrapport, any tertial",
    client: boss,
    path: () => `/reports/period?period=${anyPeriod(["tertial"]).label}`,
  },
  { name: "Veckorapport, any week", client: boss, path: () => `/reports/weekly?week=${anyPeriod(["week"]).label}` },
];

console.log(`| page | first ms | p50 ms | p95 ms | max ms | requests |`);
console.log(`|---|---|---|---|---|---|`);
for (const c of cases) {
  const first = await timeGet(c.client, c.path());
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push(await timeGet(c.client, c.path()));
  const f = (x: number) => x.toFixed(0);
  console.log(
    `| ${c.name} | ${f(first)} | ${f(percentile(times, 50))} | ${f(percentile(times, 95))} | ${f(Math.max(...times))} | ${REQUESTS} |`,
  );
}

// The trend queries' plans: capture the one statement querySeries sends and EXPLAIN it. The proxy is
// not a client with a pool of its own (src/lib/db.ts), so sqlRows sends through $queryRawUnsafe here.
const captured: { text: string; values: unknown[] }[] = [];
const spy = new Proxy(prisma, {
  get(target, key, receiver) {
    if (key === "$queryRawUnsafe")
      return (text: string, ...values: unknown[]) => {
        captured.push({ text, values });
        return target.$queryRawUnsafe(text, ...values);
      };
    return Reflect.get(target, key, receiver) as unknown;
  },
});
const agentId = agentUser.agent!.id;
const viewer = { kind: "user" as const, user: { ...manager.user, role: "manager" as const } };
const series: [string, Omit<SeriesInput, "organizationId">][] = [
  ["13 weeks of the organization, ending 2025-W49", { kind: "week", end: "2025-W49", count: 13 }],
  ["6 tertials of an agent with their svarsgrupp, ending 2025-P3", { kind: "tertial", end: "2025-P3", agent: agentId }],
  ["12 months of 2025 for a svarsgrupp", { kind: "month", end: "2025-12", count: 12, group: "val1" }],
];
let plans = "";
for (const [name, input] of series) {
  captured.length = 0;
  await querySeries({ ...ctx, prisma: spy }, viewer, { organizationId: orgId, ...input });
  const q = captured.at(-1)!;
  const plan = await prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q.text}`,
    ...q.values,
  );
  const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
  plans += `### ${name}\n\n\`\`\`\n${text}\n\`\`\`\n\n`;
  const tables = [...new Set([...text.matchAll(/on "?(Answer\w*)"?/g)].map((m) => m[1]))].sort();
  console.log(`plan: ${name}: tables ${tables.join(", ")}; ${text.split("\n").at(-1)}`);
}
writeFileSync(args.plans, plans);
console.log(`plans written to ${args.plans}`);

await app.close();
await prisma.$disconnect();
