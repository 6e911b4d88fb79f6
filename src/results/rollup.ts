import { Prisma } from "../generated/prisma/client.js";
import { sqlQuery, type Db } from "../lib/db.js";

/**
 * Rollups of the answers, read by src/results instead of the raw rows:
 *   AnswerDaily      org × local day   × group × agent × question
 *   AnswerMonthly    org × local month × group × agent × question
 *   AnswerOrgDaily   org × local day   × question
 *   AnswerOrgMonthly org × local month × question
 * Storing an answer adds one AnswerInbox row in the same statement (instead
 * of four upserts on large tables: +15-23 % per keypress, bench/RESULTS.md).
 * flushAnswerInbox moves inbox rows into the four rollups in one statement,
 * so a row is always in exactly one of the two; results read both.
 */

export interface RollupAnswer {
  organizationId: string;
  groupId: string;
  agentId: string;
  questionKey: string;
  score: number;
  answeredAt: Date;
  timeZone: string;
  /** Default "phone". */
  channel?: Channel;
}

/** Where an answer was given: the keypad of the survey call, or the web survey its SMS links to. */
export type Channel = "phone" | "web";

const COUNT_COLUMNS = ["n", "c1", "c2", "c3", "c4", "c5"];
const add = (table: string, cols: string[]) => cols.map((c) => `${c} = "${table}".${c} + EXCLUDED.${c}`).join(", ");
const sums = (cols: string[]) => cols.map((c) => `sum(${c})`).join(", ");

/**
 * The four rollup upserts as data-modifying CTEs (rd, rm, od, om) over the
 * rows of the CTE `agg`: one per (organization, day, group, agent, question)
 * with n, sum, "sumSq" and c1..c5. Each aggregates to its own grain first:
 * ON CONFLICT DO UPDATE may not touch a row twice in one statement. Constant
 * SQL, so statements that use it may be prepared.
 */
const ROLLUP_CTES = Prisma.raw(`
    rd AS (
      INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", channel, n, sum, "sumSq", c1, c2, c3, c4, c5)
      SELECT "organizationId", day, "groupId", "agentId", "questionKey", channel, n, sum, "sumSq", c1, c2, c3, c4, c5 FROM agg
      ON CONFLICT ("organizationId", "day", "groupId", "agentId", "questionKey", channel) DO UPDATE SET
        ${add("AnswerDaily", [...COUNT_COLUMNS, "sum", `"sumSq"`])}),
    rm AS (
      INSERT INTO "AnswerMonthly" ("organizationId", "month", "groupId", "agentId", "questionKey", channel, n, c1, c2, c3, c4, c5)
      SELECT "organizationId", date_trunc('month', day)::date, "groupId", "agentId", "questionKey", channel, ${sums(COUNT_COLUMNS)} FROM agg GROUP BY 1, 2, 3, 4, 5, 6
      ON CONFLICT ("organizationId", "month", "groupId", "agentId", "questionKey", channel) DO UPDATE SET ${add("AnswerMonthly", COUNT_COLUMNS)}),
    od AS (
      INSERT INTO "AnswerOrgDaily" ("organizationId", "day", "questionKey", channel, n, c1, c2, c3, c4, c5)
      SELECT "organizationId", day, "questionKey", channel, ${sums(COUNT_COLUMNS)} FROM agg GROUP BY 1, 2, 3, 4
      ON CONFLICT ("organizationId", "day", "questionKey", channel) DO UPDATE SET ${add("AnswerOrgDaily", COUNT_COLUMNS)}),
    om AS (
      INSERT INTO "AnswerOrgMonthly" ("organizationId", "month", "questionKey", channel, n, c1, c2, c3, c4, c5)
      SELECT "organizationId", date_trunc('month', day)::date, "questionKey", channel, ${sums(COUNT_COLUMNS)} FROM agg GROUP BY 1, 2, 3, 4
      ON CONFLICT ("organizationId", "month", "questionKey", channel) DO UPDATE SET ${add("AnswerOrgMonthly", COUNT_COLUMNS)}
      RETURNING 1)`);

/** `agg` from rows with "organizationId", "groupId", "agentId", "questionKey", channel, score and day in the CTE `source`. */
const aggregate = (source: string) =>
  Prisma.raw(`agg AS (
      SELECT "organizationId", day, "groupId", "agentId", "questionKey", channel, count(*)::int AS n, sum(score)::int AS sum,
             sum(score * score)::int AS "sumSq", count(*) FILTER (WHERE score = 1)::int AS c1, count(*) FILTER (WHERE score = 2)::int AS c2,
             count(*) FILTER (WHERE score = 3)::int AS c3, count(*) FILTER (WHERE score = 4)::int AS c4, count(*) FILTER (WHERE score = 5)::int AS c5
        FROM ${source} GROUP BY 1, 2, 3, 4, 5, 6)`);

/** The columns the inbox needs from an Answer insert's RETURNING; `tz` is the organization's zone. */
export const inboxReturning = (tz: Prisma.Sql) =>
  Prisma.sql`id, "organizationId", "groupId", "agentId", "questionKey", channel, score, ("answeredAt" AT TIME ZONE ${tz})::date AS day`;

/** The inbox row of every answer the CTE `ins` inserted (none for a replay): for the caller's statement. */
export const INBOX_CTE = Prisma.raw(`
    inbox AS (
      INSERT INTO "AnswerInbox" ("organizationId", "groupId", "agentId", "questionKey", channel, score, day)
      SELECT "organizationId", "groupId", "agentId", "questionKey", channel, score, day FROM ins)`);

function checkScore(score: number) {
  if (!Number.isInteger(score) || score < 1 || score > 5) throw new RangeError(`score must be 1–5, got ${score}`);
}

/** Adds answers to the rollups directly, bypassing the inbox: bulk loads and fixtures, in the Answer insert's transaction. */
export async function addAnswerToRollup(db: Db, a: RollupAnswer): Promise<void> {
  checkScore(a.score);
  await db.$executeRaw`
    WITH one AS (
      SELECT ${a.organizationId}::uuid AS "organizationId", ${a.groupId}::uuid AS "groupId", ${a.agentId}::uuid AS "agentId",
             ${a.questionKey}::text AS "questionKey", ${a.channel ?? "phone"}::text AS channel, ${a.score}::int AS score, (${a.answeredAt}::timestamptz AT TIME ZONE ${a.timeZone}::text)::date AS day
    ), ${aggregate("one")}, ${ROLLUP_CTES}
    SELECT 1`;
}

/** Inbox rows moved per statement: bounded, so one flush never holds many row locks for long. */
export const FLUSH_BATCH = 5_000;

/**
 * Moves up to `limit` inbox rows into the four rollups, in one statement: the
 * rows are deleted and added in the same transaction, so every results query
 * (which reads both) sees each answer exactly once. SKIP LOCKED lets several
 * instances flush at once, on disjoint rows. Returns the rows moved.
 */
export async function flushAnswerInbox(db: Db, limit = FLUSH_BATCH): Promise<number> {
  const rows = await sqlQuery<{ moved: number }>(
    db,
    `WITH moved AS (
       DELETE FROM "AnswerInbox" WHERE id IN (SELECT id FROM "AnswerInbox" ORDER BY id LIMIT $1::int FOR UPDATE SKIP LOCKED)
       RETURNING "organizationId", "groupId", "agentId", "questionKey", channel, score, day
     ), ${aggregate("moved").sql}, ${ROLLUP_CTES.sql}
     SELECT count(*)::int AS moved FROM moved`,
    [limit],
  );
  return rows[0].moved;
}

export interface NewAnswer extends RollupAnswer {
  surveyId: string;
  flowId: string;
  flowVersion: string;
}

/**
 * Inserts an Answer and its inbox row in one statement (one round trip), as a
 * keypress does (src/survey/repository.ts moveByToken): fixtures and benches.
 * Returns the new id, or null when the survey already has an answer to this
 * question (a retried webhook): then nothing changes.
 */
export async function insertAnswer(db: Db, a: NewAnswer): Promise<string | null> {
  const sql = insertAnswerSql(a);
  const rows = await sqlQuery<{ id: string }>(db, sql.text, sql.values, { prepare: true });
  return rows[0]?.id ?? null;
}

/**
 * The CTEs that insert the Answer (as `ins`; nothing on a replay) and its
 * inbox row. Every table is inserted into: the statement may be prepared.
 */
function answerCtes(a: NewAnswer): Prisma.Sql {
  checkScore(a.score);
  return Prisma.sql`
    ins AS (
      INSERT INTO "Answer" ("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt", channel)
      VALUES (${a.surveyId}::uuid, ${a.organizationId}::uuid, ${a.groupId}::uuid, ${a.agentId}::uuid, ${a.flowId}, ${a.flowVersion},
              ${a.questionKey}, ${a.score}::smallint, ${a.answeredAt}::timestamptz, ${a.channel ?? "phone"}::text)
      ON CONFLICT ("surveyId", "questionKey") DO NOTHING
      RETURNING ${inboxReturning(Prisma.sql`${a.timeZone}::text`)}),
    ${INBOX_CTE}`;
}

/** The statement of insertAnswer (the benchmark runs it on a bare connection too). */
export function insertAnswerSql(a: NewAnswer): Prisma.Sql {
  return Prisma.sql`WITH ${answerCtes(a)} SELECT id::text AS id FROM ins`;
}

/**
 * Rebuilds every rollup from the raw answers with one INSERT…SELECT each (all
 * organizations, or one): bulk loads, the benchmark, and repairs after
 * answers were deleted. Days are taken in each organization's own time zone,
 * exactly as the inbox rows are. Run it while no answers arrive (the service
 * stopped): one stored during the rebuild could be counted twice or not at all.
 */
export async function rebuildRollups(db: Db, organizationId?: string): Promise<void> {
  // The raw answers include what the inbox holds: it is folded in by the rebuild.
  await db.$executeRaw`DELETE FROM "AnswerInbox" ${organizationId ? Prisma.sql`WHERE "organizationId" = ${organizationId}::uuid` : Prisma.empty}`;
  const where = (alias: string) =>
    organizationId ? Prisma.sql`WHERE ${Prisma.raw(alias)}"organizationId" = ${organizationId}::uuid` : Prisma.empty;
  for (const t of ["AnswerDaily", "AnswerMonthly", "AnswerOrgDaily", "AnswerOrgMonthly"]) {
    await db.$executeRaw`DELETE FROM ${Prisma.raw(`"${t}"`)} ${where("")}`;
  }
  const counts = Prisma.raw(`sum(n), sum(c1), sum(c2), sum(c3), sum(c4), sum(c5)`);
  await db.$executeRaw`
    INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", channel, n, sum, "sumSq", c1, c2, c3, c4, c5)
    SELECT a."organizationId", (a."answeredAt" AT TIME ZONE o."timeZone")::date, a."groupId", a."agentId", a."questionKey", a.channel,
           count(*), sum(a.score), sum(a.score * a.score),
           count(*) FILTER (WHERE a.score = 1), count(*) FILTER (WHERE a.score = 2), count(*) FILTER (WHERE a.score = 3),
           count(*) FILTER (WHERE a.score = 4), count(*) FILTER (WHERE a.score = 5)
    FROM "Answer" a JOIN "Organization" o ON o.id = a."organizationId"
    ${where("a.")}
    GROUP BY 1, 2, 3, 4, 5, 6`;
  await db.$executeRaw`
    INSERT INTO "AnswerMonthly" ("organizationId", "month", "groupId", "agentId", "questionKey", channel, n, c1, c2, c3, c4, c5)
    SELECT "organizationId", date_trunc('month', "day")::date, "groupId", "agentId", "questionKey", channel, ${counts}
    FROM "AnswerDaily" ${where("")} GROUP BY 1, 2, 3, 4, 5, 6`;
  await db.$executeRaw`
    INSERT INTO "AnswerOrgDaily" ("organizationId", "day", "questionKey", channel, n, c1, c2, c3, c4, c5)
    SELECT "organizationId", "day", "questionKey", channel, ${counts}
    FROM "AnswerDaily" ${where("")} GROUP BY 1, 2, 3, 4`;
  await db.$executeRaw`
    INSERT INTO "AnswerOrgMonthly" ("organizationId", "month", "questionKey", channel, n, c1, c2, c3, c4, c5)
    SELECT "organizationId", "month", "questionKey", channel, ${counts}
    FROM "AnswerMonthly" ${where("")} GROUP BY 1, 2, 3, 4`;
}
