import { Prisma } from "../generated/prisma/client.js";
import { z } from "zod";
import { sqlExecute, sqlRows, type Db } from "../lib/db.js";
import { moveAnswersToGroup } from "../survey/repository.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const movedCountRow = z.strictObject({ moved: z.number() });

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
export const ROLLUP_CTES = Prisma.raw(`
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
export const aggregate = (source: string) =>
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

/** Inbox rows moved per statement: bounded, so one flush never holds many row locks for long. */
export const FLUSH_BATCH = 5_000;

/**
 * Moves up to `limit` inbox rows into the four rollups, in one statement: the
 * rows are deleted and added in the same transaction, so every results query
 * (which reads both) sees each answer exactly once. SKIP LOCKED lets several
 * instances flush at once, on disjoint rows. Returns the rows moved.
 */
export async function flushAnswerInbox(db: Db, limit = FLUSH_BATCH): Promise<number> {
  const rows = await sqlRows(
    db,
    movedCountRow,
    `WITH moved AS (
       DELETE FROM "AnswerInbox" WHERE id IN (SELECT id FROM "AnswerInbox" ORDER BY id LIMIT $1::int FOR UPDATE SKIP LOCKED)
       RETURNING "organizationId", "groupId", "agentId", "questionKey", channel, score, day
     ), ${aggregate("moved").sql}, ${ROLLUP_CTES.sql}
     SELECT count(*)::int AS moved FROM moved`,
    [limit],
  );
  return rows[0].moved;
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

/**
 * Moves a svarsgrupp's answers and their rollups to another group (a merge),
 * inside the caller's transaction. Inbox rows first: their row locks make a
 * concurrent flush wait for the merge (or the merge wait for it), so no rollup
 * row of the old group can appear after its rows were moved. Rollup rows are
 * added into the survivor's on the primary key (same day, agent, question and
 * channel → sums and counts add), then removed. Organization rollups do not carry a group.
 */
export async function moveGroupAnswers(tx: Db, organizationId: string, fromGroupId: string, toGroupId: string) {
  const args = [organizationId, fromGroupId, toGroupId];
  const where = `"organizationId" = $1::uuid AND "groupId" = $2::uuid`;
  await sqlExecute(tx, `UPDATE "AnswerInbox" SET "groupId" = $3::uuid WHERE ${where} RETURNING 1`, args);
  await moveAnswersToGroup(tx, organizationId, fromGroupId, toGroupId);
  const daily = [...COUNT_COLUMNS, "sum", `"sumSq"`];
  await sqlExecute(
    tx,
    `WITH gone AS (DELETE FROM "AnswerDaily" WHERE ${where} RETURNING *)
     INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", channel, ${daily.join(", ")})
     SELECT "organizationId", day, $3::uuid, "agentId", "questionKey", channel, ${daily.join(", ")} FROM gone
     ON CONFLICT ("organizationId", "day", "groupId", "agentId", "questionKey", channel) DO UPDATE SET ${add("AnswerDaily", daily)}
     RETURNING 1`,
    args,
  );
  await sqlExecute(
    tx,
    `WITH gone AS (DELETE FROM "AnswerMonthly" WHERE ${where} RETURNING *)
     INSERT INTO "AnswerMonthly" ("organizationId", "month", "groupId", "agentId", "questionKey", channel, ${COUNT_COLUMNS.join(", ")})
     SELECT "organizationId", month, $3::uuid, "agentId", "questionKey", channel, ${COUNT_COLUMNS.join(", ")} FROM gone
     ON CONFLICT ("organizationId", "month", "groupId", "agentId", "questionKey", channel) DO UPDATE SET ${add("AnswerMonthly", COUNT_COLUMNS)}
     RETURNING 1`,
    args,
  );
}
