/**
 * Results benchmark: query latency over the rollups vs a plain GROUP BY over
 * the raw answers, and what rollup maintenance costs when storing an answer.
 *
 *   npx tsx bench/results.ts --answers 1000000              # generate (if needed), query, insert
 *   npx tsx bench/results.ts --answers 10000000 --phase generate   # answers only
 *   npx tsx bench/results.ts --answers 10000000 --phase rollup     # rollups from them
 *   npx tsx bench/results.ts --answers 10000000 --phase query
 *   npx tsx bench/results.ts --answers 10000000 --phase insert
 *
 * Uses its own database nki_bench_results_<answers> on PostgreSQL at
 * BENCH_ADMIN_URL-less default postgresql://postgres@127.0.0.1:5432/postgres
 * (override with --admin-url); kept between runs so phases can be split.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import type { AppContext } from "../src/context.js";
import { createPrisma } from "../src/lib/db.js";
import { migrate } from "../src/lib/migrate.js";
import { queryResults, type ResultsInput } from "../src/results/service.js";
import { parsePeriod, periodInstants, previousYear } from "../src/results/periods.js";
import { generateAnswers, generateRollups } from "./results-data.js";
import { measureInserts } from "./results-insert.js";

const { values: args } = parseArgs({
  options: {
    answers: { type: "string", default: "1000000" },
    phase: { type: "string", default: "all" },
    iterations: { type: "string", default: "40" },
    "raw-iterations": { type: "string", default: "3" },
    inserts: { type: "string", default: "600" },
    /** off: ALTER DATABASE … SET max_parallel_workers_per_gather = 0 for the query phase (small queries gain nothing from workers). */
    parallel: { type: "string", default: "on" },
    "admin-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
  },
});
const answers = Number(args.answers);
const dbName = `nki_bench_results_${answers}`;
const url = (() => {
  const u = new URL(args["admin-url"]);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const phase = args.phase;
const TZ = "Europe/Stockholm";
const ORG = "md5('org' || 7)::uuid";

async function ensureDatabase(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: args["admin-url"] });
  await admin.connect();
  const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName])).rowCount === 1;
  if (phase === "generate" || phase === "all") {
    if (exists && phase === "all") {
      await admin.end();
      return false;
    }
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    await migrate(url);
    return true;
  }
  await admin.end();
  if (!exists) throw new Error(`${dbName} does not exist: run --phase generate first`);
  // A database kept from an earlier run gets the migrations written since.
  await migrate(url);
  return false;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => x.toFixed(1);

interface Case {
  name: string;
  input: ResultsInput;
}

async function cases(c: pg.Client): Promise<Case[]> {
  const org = (await c.query(`SELECT ${ORG}::text AS id`)).rows[0].id as string;
  const group = "val3";
  const agent = (
    await c.query(`SELECT "externalId" FROM "Agent" WHERE "organizationId" = $1 ORDER BY "externalId" LIMIT 1`, [org])
  ).rows[0].externalId as string;
  const periods = ["2025-03-14", "2025-W14", "2025-03", "2025-P1", "2025"];
  const out: Case[] = [];
  for (const period of periods) {
    const base = {
      organizationId: org,
      period,
      by: ["question" as const],
      compare: ["previous-year" as const, "benchmark" as const],
    };
    out.push({ name: `organization ${period}`, input: base });
    out.push({ name: `group        ${period}`, input: { ...base, group } });
    out.push({ name: `agent        ${period}`, input: { ...base, agent } });
  }
  out.push({
    name: `org by group,question 2025`,
    input: { organizationId: org, period: "2025", by: ["group", "question"], compare: ["previous-year"] },
  });
  return out;
}

/** The same numbers from the raw answers: the plain GROUP BY a rollup-less service would run. */
async function rawEquivalent(pool: pg.Pool, c: Case): Promise<void> {
  const p = parsePeriod(c.input.period!);
  const cur = periodInstants(p, TZ);
  const prev = periodInstants(previousYear(p), TZ);
  const counts = `count(*) FILTER (WHERE score = 1), count(*) FILTER (WHERE score = 2), count(*) FILTER (WHERE score = 3), count(*) FILTER (WHERE score = 4), count(*) FILTER (WHERE score = 5)`;
  const org = c.input.organizationId;
  let scope = "";
  const params: unknown[] = [org];
  if (c.input.group)
    scope = ` AND "groupId" = (SELECT id FROM "AnswerGroup" WHERE "organizationId" = $1 AND key = '${c.input.group}')`;
  if (c.input.agent)
    scope = ` AND "agentId" = (SELECT id FROM "Agent" WHERE "organizationId" = $1 AND "externalId" = '${c.input.agent}')`;
  const dims = c.input
    .by!.map((d) => (d === "group" ? `"groupId"` : d === "agent" ? `"agentId"` : `"questionKey"`))
    .join(", ");
  const q = (range: { start: Date; end: Date }, where: string, groupBy: string) =>
    pool.query(
      `SELECT ${groupBy}, ${counts} FROM "Answer" WHERE ${where} AND "answeredAt" >= $2 AND "answeredAt" < $3 GROUP BY ${groupBy}`,
      [...params, range.start, range.end],
    );
  const work = [q(cur, `"organizationId" = $1${scope}`, dims)];
  if (c.input.compare?.includes("previous-year")) work.push(q(prev, `"organizationId" = $1${scope}`, dims));
  if (scope) work.push(q(cur, `"organizationId" = $1`, `"questionKey"`));
  if (c.input.agent) {
    work.push(q(cur, `"organizationId" = $1${scope}`, `"groupId"`));
    // The agent's group (one group per agent in this data), then the group's results.
    const agentId = `(SELECT id FROM "Agent" WHERE "organizationId" = $1 AND "externalId" = '${c.input.agent}')`;
    work.push(
      q(
        cur,
        `"organizationId" = $1 AND "groupId" = (SELECT "groupId" FROM "Answer" WHERE "agentId" = ${agentId} LIMIT 1)`,
        `"questionKey"`,
      ),
    );
  }
  if (c.input.compare?.includes("benchmark"))
    work.push(q(cur, `"organizationId" <> $1`, `"organizationId", "questionKey"`));
  await Promise.all(work);
}

async function queryPhase(): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(
    args.parallel === "off"
      ? `ALTER DATABASE ${dbName} SET max_parallel_workers_per_gather = 0`
      : `ALTER DATABASE ${dbName} RESET max_parallel_workers_per_gather`,
  );
  const load = (await import("node:os"))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  console.log(
    `parallel workers ${args.parallel}; load average ${load} on ${(await import("node:os")).cpus().length} CPUs`,
  );
  const sizes = (
    await c.query(`SELECT (SELECT count(*) FROM "Answer")::int AS answers, (SELECT count(*) FROM "AnswerDaily")::int AS daily,
    (SELECT count(*) FROM "AnswerMonthly")::int AS monthly, (SELECT count(*) FROM "AnswerOrgDaily")::int AS orgdaily, (SELECT count(*) FROM "AnswerOrgMonthly")::int AS orgmonthly`)
  ).rows[0];
  console.log(`\nrows: ${JSON.stringify(sizes)}`);
  const all = await cases(c);
  await c.end();
  const prisma = createPrisma(url, 10);
  const ctx = { prisma } as unknown as AppContext;
  const viewer = { kind: "system" as const, organizationId: all[0].input.organizationId };
  const iterations = Number(args.iterations);
  const times = new Map<string, number[]>(all.map((x) => [x.name, []]));
  for (const x of all) await queryResults(ctx, viewer, x.input); // warm-up
  for (let i = 0; i < iterations; i++) {
    for (const x of all) {
      const t = performance.now();
      await queryResults(ctx, viewer, x.input);
      times.get(x.name)!.push(performance.now() - t);
    }
  }
  await prisma.$disconnect();
  const pool = new pg.Pool({ connectionString: url, max: 6 });
  const rawIterations = Number(args["raw-iterations"]);
  console.log(
    `\nqueryResults (rollups), ${iterations} runs each, with previous-year + benchmark (+ group/kundcenter for an agent); raw GROUP BY ${rawIterations} runs`,
  );
  console.log(
    `${"case".padEnd(30)} ${"p50".padStart(7)} ${"p95".padStart(7)} ${"max".padStart(7)} | ${"raw p50".padStart(8)}  ratio`,
  );
  const everything: number[] = [];
  for (const x of all) {
    const t = times.get(x.name)!;
    everything.push(...t);
    const raw: number[] = [];
    for (let i = 0; i < rawIterations; i++) {
      const s = performance.now();
      await rawEquivalent(pool, x);
      raw.push(performance.now() - s);
    }
    const r50 = percentile(raw, 50);
    console.log(
      `${x.name.padEnd(30)} ${ms(percentile(t, 50)).padStart(7)} ${ms(percentile(t, 95)).padStart(7)} ${ms(Math.max(...t)).padStart(7)} | ${ms(r50).padStart(8)}  ${(r50 / percentile(t, 50)).toFixed(1)}×`,
    );
  }
  await pool.end();
  console.log(
    `all cases: p50 ${ms(percentile(everything, 50))} ms, p95 ${ms(percentile(everything, 95))} ms, max ${ms(Math.max(...everything))} ms`,
  );
}

const started = Date.now();
console.log(`results benchmark: ${answers.toLocaleString("en")} answers in ${dbName}, phase ${phase}`);
const fresh = await ensureDatabase();
if (fresh) await generateAnswers(url, answers);
if ((fresh && phase === "all") || phase === "rollup") await generateRollups(url);
if (!fresh && phase === "all") console.log("  (reusing the existing database; --phase generate rebuilds it)");
if (phase === "query" || phase === "all") await queryPhase();
if (phase === "insert" || phase === "all") {
  await measureInserts(url, Number(args.inserts), "scattered");
  await measureInserts(url, Number(args.inserts), "today");
}
console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s`);
