import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../lib/db.js";

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

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
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

const COUNT_SET = Prisma.raw(
  ["n", "c1", "c2", "c3", "c4", "c5"].map((c) => `${c} = __T__.${c} + EXCLUDED.${c}`).join(", "),
);
const set = (table: string) => Prisma.raw(COUNT_SET.sql.replaceAll("__T__", `"${table}"`));

/**
 * The four upserts as data-modifying CTEs plus a final one, so they travel as
 * one statement. Each selects its row FROM `source`: a one-row constant, or
 * the Answer insert's RETURNING (then a duplicate answer updates nothing).
 */
function rollupStatements(a: RollupAnswer, source: Prisma.Sql): { ctes: Prisma.Sql; last: Prisma.Sql } {
  const day = localDay(a.answeredAt, a.timeZone);
  const month = `${day.slice(0, 7)}-01`;
  const s = a.score;
  if (!Number.isInteger(s) || s < 1 || s > 5) throw new RangeError(`score must be 1–5, got ${s}`);
  const hit = (k: number) => (s === k ? 1 : 0);
  const counts = Prisma.sql`1, ${hit(1)}::int, ${hit(2)}::int, ${hit(3)}::int, ${hit(4)}::int, ${hit(5)}::int`;
  const org = Prisma.sql`${a.organizationId}::uuid`;
  const who = Prisma.sql`${a.groupId}::uuid, ${a.agentId}::uuid, ${a.questionKey}::text`;
  const ctes = Prisma.sql`
    rd AS (
      INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", n, sum, "sumSq", c1, c2, c3, c4, c5)
      SELECT ${org}, ${day}::date, ${who}, 1, ${s}::int, ${s * s}::int, ${hit(1)}::int, ${hit(2)}::int, ${hit(3)}::int, ${hit(4)}::int, ${hit(5)}::int
      FROM ${source}
      ON CONFLICT ("organizationId", "day", "groupId", "agentId", "questionKey") DO UPDATE SET
        ${set("AnswerDaily")}, sum = "AnswerDaily".sum + EXCLUDED.sum, "sumSq" = "AnswerDaily"."sumSq" + EXCLUDED."sumSq"),
    rm AS (
      INSERT INTO "AnswerMonthly" ("organizationId", "month", "groupId", "agentId", "questionKey", n, c1, c2, c3, c4, c5)
      SELECT ${org}, ${month}::date, ${who}, ${counts} FROM ${source}
      ON CONFLICT ("organizationId", "month", "groupId", "agentId", "questionKey") DO UPDATE SET ${set("AnswerMonthly")}),
    od AS (
      INSERT INTO "AnswerOrgDaily" ("organizationId", "day", "questionKey", n, c1, c2, c3, c4, c5)
      SELECT ${org}, ${day}::date, ${a.questionKey}::text, ${counts} FROM ${source}
      ON CONFLICT ("organizationId", "day", "questionKey") DO UPDATE SET ${set("AnswerOrgDaily")})`;
  const last = Prisma.sql`
    INSERT INTO "AnswerOrgMonthly" ("organizationId", "month", "questionKey", n, c1, c2, c3, c4, c5)
    SELECT ${org}, ${month}::date, ${a.questionKey}::text, ${counts} FROM ${source}
    ON CONFLICT ("organizationId", "month", "questionKey") DO UPDATE SET ${set("AnswerOrgMonthly")}`;
  return { ctes, last };
}

const ONE_ROW = Prisma.sql`(SELECT 1) AS one`;

/**
 * Adds one stored answer to the rollups. Must run in the same transaction as
 * the Answer insert, so the rollups never disagree with the raw answers.
 */
export async function addAnswerToRollup(db: Db, a: RollupAnswer): Promise<void> {
  const { ctes, last } = rollupStatements(a, ONE_ROW);
  await db.$executeRaw`WITH ${ctes} ${last}`;
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
export async function insertAnswerWithRollup(db: Db, a: NewAnswer): Promise<bigint | null> {
  const rows = await db.$queryRaw<{ id: bigint }[]>(insertAnswerWithRollupSql(a));
  return rows[0]?.id ?? null;
}

/** The statement of insertAnswerWithRollup (the benchmark runs it on a bare connection too). */
export function insertAnswerWithRollupSql(a: NewAnswer): Prisma.Sql {
  const { ctes, last } = rollupStatements(a, Prisma.sql`ins`);
  return Prisma.sql`
    WITH ins AS (
      INSERT INTO "Answer" ("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt")
      VALUES (${a.surveyId}::uuid, ${a.organizationId}::uuid, ${a.groupId}::uuid, ${a.agentId}::uuid, ${a.flowId}, ${a.flowVersion},
              ${a.questionKey}, ${a.score}::smallint, ${a.answeredAt}::timestamptz)
      ON CONFLICT ("surveyId", "questionKey") DO NOTHING
      RETURNING id),
    ${ctes},
    om AS (${last} RETURNING 1)
    SELECT id FROM ins`;
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
