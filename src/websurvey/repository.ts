import { erasedNumberCte } from "../intake/repository.js";
import { Prisma as SqlTag } from "../generated/prisma/client.js";
import { sqlQuery, type Db } from "../lib/db.js";
import { INBOX_CTE } from "../results/rollup.js";
import { answerInsertCte } from "../survey/repository.js";

/**
 * The web survey's statements. It writes answers through the same Answer +
 * AnswerInbox path as a keypress (so the rollups count them), with
 * channel = 'web', and its comment as a VoiceMessage of kind 'text' (so the
 * listening queue, retention and forget treat it as a message). Every write
 * re-checks eligibility in the same statement: not opted out or canceled,
 * not finished on the web, and no answer by phone.
 */

const ELIGIBLE = `s.state::text NOT IN ('opted_out', 'canceled') AND s."webCompletedAt" IS NULL
  AND NOT EXISTS (SELECT 1 FROM "Answer" p WHERE p."surveyId" = s.id AND p.channel = 'phone')`;

export interface WebSurveyRow {
  id: string;
  state: string;
  flowId: string;
  flowVersion: string | null;
  organizationName: string;
  settings: unknown;
  webOpenedAt: Date | null;
  webCompletedAt: Date | null;
  /** Answers already stored, with their channel. */
  answers: { questionKey: string; score: number; channel: string }[];
}

/** Everything a page needs, in one round trip (by primary key: prepared). */
export async function loadWebSurvey(db: Db, surveyId: string): Promise<WebSurveyRow | null> {
  const rows = await sqlQuery<WebSurveyRow>(
    db,
    `SELECT s.id, s.state::text AS state, s."flowId", s."flowVersion", o.name AS "organizationName", o.settings,
            s."webOpenedAt", s."webCompletedAt",
            (SELECT coalesce(json_agg(json_build_object('questionKey', a."questionKey", 'score', a.score, 'channel', a.channel)), '[]'::json)
               FROM "Answer" a WHERE a."surveyId" = s.id) AS answers
       FROM "SurveyCall" s JOIN "Organization" o ON o.id = s."organizationId"
      WHERE s.id = $1::uuid`,
    [surveyId],
    { prepare: true },
  );
  return rows[0] ?? null;
}

/** The first opening of the link, once (the funnel's "länk öppnad"), with its event. */
export async function markOpened(db: Db, surveyId: string, at: Date): Promise<boolean> {
  const rows = await sqlQuery<{ id: string }>(
    db,
    `WITH mv AS (
       UPDATE "SurveyCall" SET "webOpenedAt" = $2::timestamptz WHERE id = $1::uuid AND "webOpenedAt" IS NULL RETURNING id
     ), ev AS (INSERT INTO "SurveyEvent" ("surveyId", at, type) SELECT id, $2::timestamptz, 'web-opened' FROM mv)
     SELECT id FROM mv`,
    [surveyId, at],
    { prepare: true },
  );
  return rows.length > 0;
}

export interface WebAnswers {
  surveyId: string;
  answers: { questionKey: string; score: number }[];
  /** Written when the survey has none yet (it never started by phone). */
  flowVersion: string;
  at: Date;
}

/**
 * Stores the answers in one statement, each with its inbox row; an answer to
 * a question already answered is kept as it was (a double submission changes
 * nothing). `eligible` false: the survey may not take web answers (any more).
 */
export async function storeWebAnswers(db: Db, w: WebAnswers): Promise<{ eligible: boolean; inserted: number }> {
  const sql = SqlTag.sql`
    WITH s AS (
      SELECT s.id, s."organizationId", s."groupId", s."agentId", s."flowId", coalesce(s."flowVersion", ${w.flowVersion}::text) AS "flowVersion",
             o."timeZone"
        FROM "SurveyCall" s JOIN "Organization" o ON o.id = s."organizationId"
       WHERE s.id = ${w.surveyId}::uuid AND ${SqlTag.raw(ELIGIBLE)}),
    given AS (SELECT * FROM unnest(${w.answers.map((a) => a.questionKey)}::text[], ${w.answers.map((a) => a.score)}::int[]) AS g(k, score)),
    ${answerInsertCte(
      SqlTag.sql`SELECT s.id, s."organizationId", s."groupId", s."agentId", s."flowId", s."flowVersion", g.k, g.score::smallint, ${w.at}::timestamptz, 'web'
        FROM s, given g`,
      SqlTag.sql`(SELECT "timeZone" FROM s)`,
    )},
    ${INBOX_CTE}
    SELECT (SELECT count(*) FROM s)::int AS eligible, (SELECT count(*) FROM ins)::int AS inserted`;
  // Prepared: every table is reached by its key or inserted into (the text is the same for any number of answers).
  const rows = await sqlQuery<{ eligible: number; inserted: number }>(db, sql.text, sql.values, { prepare: true });
  return { eligible: rows[0].eligible > 0, inserted: rows[0].inserted };
}

export interface WebCompletion {
  surveyId: string;
  at: Date;
  /** The comment, already masked; null for none. */
  comment: string | null;
}

/**
 * Finishes the survey on the web, once: webCompletedAt, its event, the
 * comment as a text message for the listening queue, and the encrypted
 * number erased (nobody will contact the citizen about this survey again).
 * False when it was already finished or is not eligible.
 */
export async function completeWebSurvey(db: Db, c: WebCompletion): Promise<boolean> {
  const rows = await sqlQuery<{ id: string }>(
    db,
    `WITH mv AS (
       UPDATE "SurveyCall" s SET "webCompletedAt" = $2::timestamptz, "updatedAt" = $2::timestamptz
        WHERE s.id = $1::uuid AND ${ELIGIBLE}
       RETURNING s.id, s."organizationId", s."groupId", s."agentId", s."completedCallId"
     ),
     ev AS (INSERT INTO "SurveyEvent" ("surveyId", at, type, detail)
            SELECT id, $2::timestamptz, 'web-completed', json_build_object('comment', $3::text IS NOT NULL)::jsonb FROM mv),
     msg AS (
       INSERT INTO "VoiceMessage" (id, "surveyId", "organizationId", "groupId", "agentId", kind, text, "recordingSid", state,
                                   "durationSeconds", "recordedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), id, "organizationId", "groupId", "agentId", 'text', $3::text, 'web:' || id::text, 'stored',
              0, $2::timestamptz, $2::timestamptz, $2::timestamptz
         FROM mv WHERE $3::text IS NOT NULL
       ON CONFLICT ("surveyId") DO NOTHING),
     ${erasedNumberCte("mv")}
     SELECT id FROM mv`,
    [c.surveyId, c.at, c.comment],
    { prepare: true },
  );
  return rows.length > 0;
}
