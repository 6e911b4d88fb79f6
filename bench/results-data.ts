/**
 * Synthetic answers for bench/results.ts, generated set-based inside
 * PostgreSQL (generate_series), so 10 million rows take minutes, not hours.
 *
 * Shape: 50 organizations (Europe/Stockholm), 6 svarsgrupper and 40 agents
 * each (2,000 agents), surveys spread uniformly over 2023-01-01..2025-12-31,
 * seven answers per survey (the default flow's keys), scores skewed towards
 * 4–5 with a per-agent offset so agents differ.
 */
import pg from "pg";
import { rebuildRollups } from "../src/results/rollup.js";
import { createPrisma } from "../src/lib/db.js";

export const ORGS = 50;
export const GROUPS_PER_ORG = 6;
export const AGENTS = 2000;
export const QUESTION_KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
export const FIRST_DAY = "2023-01-01";
export const DAYS = 1095;
const ROLLUPS = ["AnswerDaily", "AnswerMonthly", "AnswerOrgDaily", "AnswerOrgMonthly"];

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const r = await f();
  console.log(`  ${label}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return r;
}

/** Indexes other than the primary key, so a bulk load can drop and rebuild them (much faster than maintaining them row by row). */
async function secondaryIndexes(c: pg.Client, table: string): Promise<{ name: string; def: string }[]> {
  const r = await c.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 AND indexname <> $2`,
    [table, `${table}_pkey`],
  );
  return r.rows.map((x) => ({ name: x.indexname, def: x.indexdef }));
}

/** Primary keys and indexes of a table, dropped for a bulk load and rebuilt after (a sorted build beats row-by-row maintenance). */
async function withoutIndexes(c: pg.Client, tables: string[], load: () => Promise<void>): Promise<void> {
  const idx: { name: string; def: string }[] = [];
  for (const t of tables) idx.push(...(await secondaryIndexes(c, t)));
  const pks = (
    await c.query<{ table: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE contype = 'p' AND conrelid::regclass::text = ANY($1)`,
      [tables.map((t) => `"${t}"`)],
    )
  ).rows;
  for (const i of idx) await c.query(`DROP INDEX "${i.name}"`);
  for (const p of pks) await c.query(`ALTER TABLE ${p.table} DROP CONSTRAINT "${p.name}"`);
  await load();
  for (const p of pks) await c.query(`ALTER TABLE ${p.table} ADD CONSTRAINT "${p.name}" ${p.def}`);
  for (const i of idx) await c.query(i.def);
}

/** Phase 1: organizations, groups, agents and the answers. */
export async function generateAnswers(url: string, answers: number): Promise<void> {
  const surveys = Math.ceil(answers / QUESTION_KEYS.length);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SET maintenance_work_mem = '1GB'`);
    await c.query(`SET work_mem = '256MB'`);
    // A fresh benchmark database: skip foreign-key triggers during the bulk load (the ids are consistent by construction).
    await c.query(`SET session_replication_role = replica`);
    await timed("organizations, groups, agents", async () => {
      await c.query(`INSERT INTO "Organization"(id, slug, name, "timeZone", settings, "updatedAt")
        SELECT md5('org' || o)::uuid, 'bench-' || o, 'Benchkommun ' || o, 'Europe/Stockholm', '{}', now() FROM generate_series(0, ${ORGS - 1}) o`);
      await c.query(`INSERT INTO "AnswerGroup"(id, "organizationId", key, name, "updatedAt")
        SELECT md5('grp' || o || '-' || g)::uuid, md5('org' || o)::uuid, 'val' || g, 'Val ' || g, now()
        FROM generate_series(0, ${ORGS - 1}) o, generate_series(1, ${GROUPS_PER_ORG}) g`);
      await c.query(`INSERT INTO "Agent"(id, "organizationId", "externalId", name, "updatedAt")
        SELECT md5('agt' || a)::uuid, md5('org' || (a % ${ORGS}))::uuid, 'ext-' || a, 'Agent ' || a, now() FROM generate_series(0, ${AGENTS - 1}) a`);
    });
    const keys = QUESTION_KEYS.map((k, i) => `(${i}, '${k}')`).join(", ");
    await timed(`${(surveys * QUESTION_KEYS.length).toLocaleString("en")} answers, then their indexes`, () =>
      withoutIndexes(c, ["Answer"], async () => {
        await c.query(`INSERT INTO "Answer"("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt")
          SELECT md5('srv' || s.i)::uuid, md5('org' || (s.a % ${ORGS}))::uuid,
                 md5('grp' || (s.a % ${ORGS}) || '-' || (1 + (s.a / ${ORGS}) % ${GROUPS_PER_ORG}))::uuid, md5('agt' || s.a)::uuid,
                 'nki-sv', '1', q.key,
                 CASE WHEN u < 0.03 THEN 1 WHEN u < 0.07 THEN 2 WHEN u < 0.20 THEN 3 WHEN u < 0.50 THEN 4 ELSE 5 END,
                 s.t + q.ord * interval '9 seconds'
          FROM (SELECT i, floor(random() * ${AGENTS})::int AS a,
                       timestamptz '${FIRST_DAY} 00:00 Europe/Stockholm' + random() * interval '${DAYS} days' AS t
                FROM generate_series(1, ${surveys}) i) s
          CROSS JOIN (VALUES ${keys}) q(ord, key)
          CROSS JOIN LATERAL (SELECT random() - (s.a % 7) * 0.015 AS u) r`);
      }),
    );
  } finally {
    await c.end();
  }
}

/** Phase 2: every rollup with one INSERT…SELECT each (rebuildRollups, the service's own), then VACUUM ANALYZE. */
export async function generateRollups(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SET maintenance_work_mem = '1GB'`);
    await timed("rollups (one INSERT…SELECT per rollup table), then their indexes", () =>
      withoutIndexes(c, ROLLUPS, async () => {
        // One connection, so the session setting applies to rebuildRollups' statements.
        const prisma = createPrisma(url, 1);
        try {
          await prisma.$executeRawUnsafe(`SET work_mem = '512MB'`);
          await rebuildRollups(prisma);
        } finally {
          await prisma.$disconnect();
        }
      }),
    );
    await timed("VACUUM ANALYZE", () => c.query(`VACUUM ANALYZE`));
  } finally {
    await c.end();
  }
}
