import { Prisma } from "../../src/generated/prisma/client.js";
import { sqlQuery, type Db } from "../../src/lib/db.js";
import { aggregate, INBOX_CTE, inboxReturning, ROLLUP_CTES, type RollupAnswer } from "../../src/results/rollup.js";

// Test and benchmark write paths for answers, kept out of src/: production stores an answer only
// through the keypress statement (src/survey/repository.ts moveByToken) and folds the inbox
// (src/results/rollup.ts flushAnswerInbox). The golden fixtures go that way too (test/fixtures/golden-load.ts).

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
