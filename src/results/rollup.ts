import { Prisma } from "../generated/prisma/client.js";
import { sqlQuery, type Db } from "../lib/db.js";

/**
 * Rollups of the answers, read by src/results instead of the raw rows:
 *   AnswerDaily      org × local day   × group × agent × question
 *   AnswerMonthly    org × local month × group × agent × question
 *   AnswerOrgDaily   org × local day   × question
 *   AnswerOrgMonthly org × local month × question
 * All four change in ONE statement, in the same transaction as the Answer
 * insert, so they never disagree with the raw answers and storing an answer
 * costs one extra round trip at most (none with insertAnswerWithRollup).
 */

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(instant: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  // en-CA formats as YYYY-MM-DD. A formatter costs far more to make than to use: one per zone.
  if (!f) dayFormatters.set(timeZone, (f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })));
  return f.format(instant);
}

export interface RollupAnswer {
  organizationId: string;
  groupId: string;
  agentId: string;
  questionKey: string;
  score: number;
  answeredAt: Date;
  timeZone: string;
}

const COUNT_SET = ["n", "c1", "c2", "c3", "c4", "c5"].map((c) => `${c} = __T__.${c} + EXCLUDED.${c}`).join(", ");
const set = (table: string) => COUNT_SET.replaceAll("__T__", `"${table}"`);
const COUNTS = `1, (score = 1)::int, (score = 2)::int, (score = 3)::int, (score = 4)::int, (score = 5)::int`;

/**
 * The four rollup upserts as data-modifying CTEs (rd, rm, od, om) over the
 * rows of the CTE `ins`, which has the columns "organizationId", "groupId",
 * "agentId", "questionKey", score and day (the answer's local date). A
 * replayed answer that `ins` did not insert adds nothing. Constant SQL: it
 * goes into statements that are prepared.
 */
export const ROLLUP_CTES = Prisma.raw(`
    rd AS (
      INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", n, sum, "sumSq", c1, c2, c3, c4, c5)
      SELECT "organizationId", day, "groupId", "agentId", "questionKey", 1, score, score * score,
             (score = 1)::int, (score = 2)::int, (score = 3)::int, (score = 4)::int, (score = 5)::int FROM ins
      ON CONFLICT ("organizationId", "day", "groupId", "agentId", "questionKey") DO UPDATE SET
        ${set("AnswerDaily")}, sum = "AnswerDaily".sum + EXCLUDED.sum, "sumSq" = "AnswerDaily"."sumSq" + EXCLUDED."sumSq"),
    rm AS (
      INSERT INTO "AnswerMonthly" ("organizationId", "month", "groupId", "agentId", "questionKey", n, c1, c2, c3, c4, c5)
      SELECT "organizationId", date_trunc('month', day)::date, "groupId", "agentId", "questionKey", ${COUNTS} FROM ins
      ON CONFLICT ("organizationId", "month", "groupId", "agentId", "questionKey") DO UPDATE SET ${set("AnswerMonthly")}),
    od AS (
      INSERT INTO "AnswerOrgDaily" ("organizationId", "day", "questionKey", n, c1, c2, c3, c4, c5)
      SELECT "organizationId", day, "questionKey", ${COUNTS} FROM ins
      ON CONFLICT ("organizationId", "day", "questionKey") DO UPDATE SET ${set("AnswerOrgDaily")}),
    om AS (
      INSERT INTO "AnswerOrgMonthly" ("organizationId", "month", "questionKey", n, c1, c2, c3, c4, c5)
      SELECT "organizationId", date_trunc('month', day)::date, "questionKey", ${COUNTS} FROM ins
      ON CONFLICT ("organizationId", "month", "questionKey") DO UPDATE SET ${set("AnswerOrgMonthly")}
      RETURNING 1)`);

/** The columns ROLLUP_CTES reads from `ins`, for an Answer insert's RETURNING; `tz` is the organization's zone. */
export const rollupReturning = (tz: Prisma.Sql) =>
  Prisma.sql`id, "organizationId", "groupId", "agentId", "questionKey", score, ("answeredAt" AT TIME ZONE ${tz})::date AS day`;

function checkScore(score: number) {
  if (!Number.isInteger(score) || score < 1 || score > 5) throw new RangeError(`score must be 1–5, got ${score}`);
}

/**
 * Adds one stored answer to the rollups. Must run in the same transaction as
 * the Answer insert, so the rollups never disagree with the raw answers.
 */
export async function addAnswerToRollup(db: Db, a: RollupAnswer): Promise<void> {
  checkScore(a.score);
  await db.$executeRaw`
    WITH ins AS (
      SELECT ${a.organizationId}::uuid AS "organizationId", ${a.groupId}::uuid AS "groupId", ${a.agentId}::uuid AS "agentId",
             ${a.questionKey}::text AS "questionKey", ${a.score}::int AS score, (${a.answeredAt}::timestamptz AT TIME ZONE ${a.timeZone}::text)::date AS day
    ), ${ROLLUP_CTES}
    SELECT 1`;
}

export interface NewAnswer extends RollupAnswer {
  surveyId: string;
  flowId: string;
  flowVersion: string;
}

/**
 * Inserts an Answer and updates the rollups in one statement (one round trip).
 * Returns the new id, or null when the survey already has an answer to this
 * question (a retried webhook): then nothing, rollups included, changes.
 */
export async function insertAnswerWithRollup(db: Db, a: NewAnswer): Promise<string | null> {
  const sql = insertAnswerWithRollupSql(a);
  const rows = await sqlQuery<{ id: string }>(db, sql.text, sql.values, { prepare: true });
  return rows[0]?.id ?? null;
}

/**
 * The CTEs that insert the Answer (as `ins`; nothing on a replay) and add it
 * to the four rollups, for a statement of the caller's that selects from
 * `ins`. Every table is reached through a unique key: it may be prepared.
 */
export function answerWithRollupCtes(a: NewAnswer): Prisma.Sql {
  checkScore(a.score);
  return Prisma.sql`
    ins AS (
      INSERT INTO "Answer" ("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt")
      VALUES (${a.surveyId}::uuid, ${a.organizationId}::uuid, ${a.groupId}::uuid, ${a.agentId}::uuid, ${a.flowId}, ${a.flowVersion},
              ${a.questionKey}, ${a.score}::smallint, ${a.answeredAt}::timestamptz)
      ON CONFLICT ("surveyId", "questionKey") DO NOTHING
      RETURNING ${rollupReturning(Prisma.sql`${a.timeZone}::text`)}),
    ${ROLLUP_CTES}`;
}

/** The statement of insertAnswerWithRollup (the benchmark runs it on a bare connection too). */
export function insertAnswerWithRollupSql(a: NewAnswer): Prisma.Sql {
  return Prisma.sql`WITH ${answerWithRollupCtes(a)} SELECT id::text AS id FROM ins`;
}

/**
 * Rebuilds every rollup from the raw answers with one INSERT…SELECT each (all
 * organizations, or one): bulk loads, the benchmark, and repairs after
 * answers were deleted by retention. Days are taken in each organization's
 * own time zone, exactly as addAnswerToRollup does.
 */
export async function rebuildRollups(db: Db, organizationId?: string): Promise<void> {
  const where = (alias: string) => (organizationId ? Prisma.sql`WHERE ${Prisma.raw(alias)}"organizationId" = ${organizationId}::uuid` : Prisma.empty);
  for (const t of ["AnswerDaily", "AnswerMonthly", "AnswerOrgDaily", "AnswerOrgMonthly"]) {
    await db.$executeRaw`DELETE FROM ${Prisma.raw(`"${t}"`)} ${where("")}`;
  }
  const counts = Prisma.raw(`sum(n), sum(c1), sum(c2), sum(c3), sum(c4), sum(c5)`);
  await db.$executeRaw`
    INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", n, sum, "sumSq", c1, c2, c3, c4, c5)
    SELECT a."organizationId", (a."answeredAt" AT TIME ZONE o."timeZone")::date, a."groupId", a."agentId", a."questionKey",
           count(*), sum(a.score), sum(a.score * a.score),
           count(*) FILTER (WHERE a.score = 1), count(*) FILTER (WHERE a.score = 2), count(*) FILTER (WHERE a.score = 3),
           count(*) FILTER (WHERE a.score = 4), count(*) FILTER (WHERE a.score = 5)
    FROM "Answer" a JOIN "Organization" o ON o.id = a."organizationId"
    ${where("a.")}
    GROUP BY 1, 2, 3, 4, 5`;
  await db.$executeRaw`
    INSERT INTO "AnswerMonthly" ("organizationId", "month", "groupId", "agentId", "questionKey", n, c1, c2, c3, c4, c5)
    SELECT "organizationId", date_trunc('month', "day")::date, "groupId", "agentId", "questionKey", ${counts}
    FROM "AnswerDaily" ${where("")} GROUP BY 1, 2, 3, 4, 5`;
  await db.$executeRaw`
    INSERT INTO "AnswerOrgDaily" ("organizationId", "day", "questionKey", n, c1, c2, c3, c4, c5)
    SELECT "organizationId", "day", "questionKey", ${counts}
    FROM "AnswerDaily" ${where("")} GROUP BY 1, 2, 3`;
  await db.$executeRaw`
    INSERT INTO "AnswerOrgMonthly" ("organizationId", "month", "questionKey", n, c1, c2, c3, c4, c5)
    SELECT "organizationId", "month", "questionKey", ${counts}
    FROM "AnswerMonthly" ${where("")} GROUP BY 1, 2, 3`;
}
