import { Prisma as SqlTag } from "../generated/prisma/client.js";
import { z } from "zod";
import { SurveyState } from "../generated/prisma/enums.js";
import { erasedNumberCte } from "../intake/repository.js";
import { sqlExecute, sqlRows, type Db } from "../lib/db.js";
import { surveyEntered } from "../lib/metrics.js";
import { INBOX_CTE, inboxReturning } from "../results/rollup.js";
import type { Progress } from "./engine.js";
import { transition } from "./state.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const startedRow = z.strictObject({
  organizationId: z.string(),
  organizationName: z.string(),
  previousState: z.enum(SurveyState),
});

export interface SurveyTurn {
  id: string;
  state: SurveyState;
  progress: unknown;
  flowId: string;
  flowVersion: string | null;
  organizationId: string;
  groupId: string;
  agentId: string;
  answeredBy: string | null;
  organizationName: string;
  /** The organization's privacyInfo setting (where to read more), null when unset. */
  privacyInfo: string | null;
  timeZone: string;
}

export const surveyTurnRow = z.strictObject({
  id: z.string(),
  state: z.enum(SurveyState),
  progress: z.unknown(),
  flowId: z.string(),
  flowVersion: z.string().nullable(),
  organizationId: z.string(),
  groupId: z.string(),
  agentId: z.string(),
  answeredBy: z.string().nullable(),
  organizationName: z.string(),
  privacyInfo: z.string().nullable(),
  timeZone: z.string(),
}) satisfies z.ZodType<SurveyTurn>;

/**
 * What one webhook needs to know about a survey, in one round trip (the
 * organization joined in). By primary keys only, so it may be prepared.
 */
export async function loadSurveyTurn(db: Db, surveyId: string): Promise<SurveyTurn | null> {
  const rows = await sqlRows(
    db,
    surveyTurnRow,
    `SELECT s.id, s.state::text AS state, s.progress, s."flowId", s."flowVersion", s."organizationId", s."groupId", s."agentId",
            s."answeredBy", o.name AS "organizationName", o.settings->>'privacyInfo' AS "privacyInfo", o."timeZone"
       FROM "SurveyCall" s JOIN "Organization" o ON o.id = s."organizationId"
      WHERE s.id = $1::uuid`,
    [surveyId],
    { prepare: true },
  );
  return rows[0] ?? null;
}

export interface StoredAnswer {
  questionKey: string;
  score: number;
  answeredAt: Date;
}

export interface TokenMove {
  surveyId: string;
  flowId: string;
  /** The progress the callback's step token says the survey is at. */
  expected: Progress;
  next: Progress;
  humanProof: boolean;
  answer?: StoredAnswer;
  flowVersion: string;
  /** The questions are done: an in-progress or partial survey becomes completed in the same statement. */
  complete: boolean;
  at: Date;
}

export interface MovedSurvey {
  state: SurveyState;
  /** The state before this statement (differs from `state` when it completed the survey). */
  previousState: SurveyState;
  organizationId: string;
  groupId: string;
  agentId: string;
  organizationName: string;
  privacyInfo: string | null;
  /** 1 when this call stored the answer. */
  inserted: number;
}

const movedSurveyRow = z.strictObject({
  state: z.enum(SurveyState),
  previousState: z.enum(SurveyState),
  organizationId: z.string(),
  groupId: z.string(),
  agentId: z.string(),
  organizationName: z.string(),
  privacyInfo: z.string().nullable(),
  inserted: z.number(),
}) satisfies z.ZodType<MovedSurvey>;

/**
 * A keypress, silence or recording in ONE round trip: the progress is
 * compared-and-set from where the caller believes the survey is (the
 * callback's step token, or the row it read), and only if that held the answer
 * goes in (with its inbox row), and a survey whose questions are done becomes
 * completed. Null when the survey is elsewhere (a replay, a race, a late
 * callback, another flow): nothing is stored, and the caller reads it again.
 * The answer's rollups follow from its AnswerInbox row (src/results/rollup.ts).
 * Every table by a primary or unique key, or inserted into: prepared.
 */
export async function moveByToken(db: Db, m: TokenMove): Promise<MovedSurvey | null> {
  const sql = moveByTokenSql(m);
  const rows = await sqlRows(db, movedSurveyRow, sql.text, sql.values, { prepare: true });
  if (rows[0]?.state === "completed" && rows[0].previousState !== "completed") surveyEntered("completed");
  return rows[0] ?? null;
}

/** The statement of moveByToken; bench/results-insert.ts also runs it without the inbox row to price it. */
export function moveByTokenSql(m: TokenMove, opts: { inbox: boolean } = { inbox: true }) {
  return SqlTag.sql`
    WITH mv AS (
      UPDATE "SurveyCall"
         SET progress = ${JSON.stringify(m.next)}::jsonb, "updatedAt" = ${m.at}::timestamptz,
             "answeredBy" = CASE WHEN ${m.humanProof}::boolean THEN 'human' ELSE "answeredBy" END,
             state = CASE WHEN ${m.complete}::boolean AND state IN ('in_progress', 'partial') THEN 'completed' ELSE state END,
             "endedAt" = CASE WHEN ${m.complete}::boolean AND state IN ('in_progress', 'partial') THEN ${m.at}::timestamptz ELSE "endedAt" END
       WHERE id = ${m.surveyId}::uuid AND "flowId" = ${m.flowId}::text
         AND state::text IN ('in_progress', 'partial', 'completed') AND progress = ${JSON.stringify(m.expected)}::jsonb
      -- The subquery reads the statement's snapshot: the row as it was before this update.
      RETURNING id, state::text AS state, (SELECT p.state::text FROM "SurveyCall" p WHERE p.id = ${m.surveyId}::uuid) AS "previousState",
                "completedCallId", "organizationId", "groupId", "agentId", "flowId", coalesce("flowVersion", ${m.flowVersion}::text) AS "flowVersion"),
    -- Completing it is a transition like any other (src/survey/state.ts): its event, and the number erased.
    done AS (SELECT * FROM mv WHERE state = 'completed' AND "previousState" <> 'completed'),
    ev AS (INSERT INTO "SurveyEvent" ("surveyId", at, type, "toState") SELECT id, ${m.at}::timestamptz, 'questions-done', 'completed' FROM done),
    ${SqlTag.raw(erasedNumberCte("done"))},
    org AS (SELECT o.name, o."timeZone", o.settings->>'privacyInfo' AS "privacyInfo" FROM "Organization" o JOIN mv ON o.id = mv."organizationId"),
    ${answerInsertCte(
      SqlTag.sql`SELECT mv.id, mv."organizationId", mv."groupId", mv."agentId", mv."flowId", mv."flowVersion",
             ${m.answer?.questionKey ?? null}::text, ${m.answer?.score ?? null}::smallint, ${m.at}::timestamptz, 'phone'
        FROM mv WHERE ${m.answer?.questionKey ?? null}::text IS NOT NULL`,
      SqlTag.sql`(SELECT "timeZone" FROM org)`,
    )}${
      opts.inbox
        ? SqlTag.sql`,
    ${INBOX_CTE}`
        : SqlTag.empty
    }
    SELECT mv.state, mv."previousState", mv."organizationId", mv."groupId", mv."agentId", org.name AS "organizationName", org."privacyInfo",
           (SELECT count(*) FROM ins)::int AS inserted
      FROM mv, org`;
}

/**
 * The first TwiML of the call in one round trip: the survey starts only if it
 * has not (its progress is still empty), is dialling or already in progress (a
 * status callback may have moved it), and is of the flow the URL names. Null
 * otherwise: the caller reads it and decides as before (a replay, a machine
 * already hung up on, a survey that is over). By primary keys: prepared.
 */
export async function startByToken(
  db: Db,
  p: { surveyId: string; flowId: string; progress: Progress; flowVersion: string; at: Date; callSid?: string },
): Promise<{ organizationId: string; organizationName: string; previousState: SurveyState } | null> {
  const rows = await sqlRows(
    db,
    startedRow,
    `WITH mv AS (
       UPDATE "SurveyCall"
          SET state = 'in_progress', progress = $3::jsonb, "startedAt" = $5::timestamptz, "flowVersion" = $4::text, "updatedAt" = $5::timestamptz
        WHERE id = $1::uuid AND "flowId" = $2::text AND state IN ('dialling', 'in_progress') AND progress = '{}'::jsonb
       -- The subquery reads the statement's snapshot: the row as it was before this update.
       RETURNING id, "organizationId", (SELECT p.state::text FROM "SurveyCall" p WHERE p.id = $1::uuid) AS "previousState"
     ),
     ev AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "fromState", "toState", "callSid")
       SELECT id, $5::timestamptz, 'flow-started', "previousState", 'in_progress', $6::text FROM mv
     )
     SELECT mv."organizationId", o.name AS "organizationName", mv."previousState" FROM mv JOIN "Organization" o ON o.id = mv."organizationId"`,
    [p.surveyId, p.flowId, JSON.stringify(p.progress), p.flowVersion, p.at, p.callSid ?? null],
    { prepare: true },
  );
  if (rows[0] && rows[0].previousState !== "in_progress") surveyEntered("in_progress");
  return rows[0] ?? null;
}

/** The first TwiML of the call: the citizen answered. A status callback may have moved it to in_progress already. */
export async function startSurvey(
  db: Db,
  s: SurveyTurn,
  p: { progress: Progress; flowVersion: string; at: Date; callSid?: string },
) {
  return transition(db, {
    surveyId: s.id,
    // Guarded on the state just read: if a status callback moves it meanwhile, the caller re-reads and retries.
    from: s.state === "dialling" ? "dialling" : "in_progress",
    to: "in_progress",
    at: p.at,
    event: "flow-started",
    callSid: p.callSid,
    data: { progress: p.progress, startedAt: p.at, flowVersion: p.flowVersion },
  });
}

export async function markHuman(db: Db, surveyId: string) {
  await sqlExecute(
    db,
    `UPDATE "SurveyCall" SET "answeredBy" = 'human' WHERE id = $1::uuid AND "answeredBy" IS DISTINCT FROM 'human'`,
    [surveyId],
    { prepare: true },
  );
}

/** A svarsgrupp merge (organizations/groups.ts); a survey in progress keeps going, its answers land in the survivor. */
export function moveSurveysToGroup(tx: Db, organizationId: string, fromGroupId: string, toGroupId: string) {
  return tx.surveyCall.updateMany({
    where: { organizationId, groupId: fromGroupId },
    data: { groupId: toGroupId },
  });
}

/** A svarsgrupp merge moves its answers to the survivor (inside the merge's transaction; see results/rollup.ts). */
export async function moveAnswersToGroup(tx: Db, organizationId: string, fromGroupId: string, toGroupId: string) {
  await sqlExecute(
    tx,
    `UPDATE "Answer" SET "groupId" = $3::uuid WHERE "organizationId" = $1::uuid AND "groupId" = $2::uuid`,
    [organizationId, fromGroupId, toGroupId],
  );
}

/**
 * The one Answer insert, as the CTE `ins`, returning what the answer inbox
 * needs: the keypress statement above and the web survey
 * (websurvey/repository.ts) both store answers through it. `select` yields
 * (surveyId, organizationId, groupId, agentId, flowId, flowVersion,
 * questionKey, score, answeredAt, channel); a replayed answer changes nothing.
 */
export function answerInsertCte(select: SqlTag.Sql, timeZone: SqlTag.Sql): SqlTag.Sql {
  return SqlTag.sql`ins AS (
      INSERT INTO "Answer" ("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt", channel)
      ${select}
      ON CONFLICT ("surveyId", "questionKey") DO NOTHING
      RETURNING ${inboxReturning(timeZone)})`;
}

/**
 * Pins the flow version a survey is asked in, as the CTE `pinned`, when it has
 * none yet (a survey that never started by phone): the SMS fallback's send
 * statement (sms/repository.ts) uses it, so the web page behind the link asks
 * the version the text was sent with even after a newer one is published.
 * `source` is a CTE with a "surveyId" column; `version` a parameter reference.
 */
export function pinnedFlowVersionCte(source: string, version: string): string {
  if (!/^\w+$/.test(source) || !/^\$\d+$/.test(version))
    throw new Error(`pinnedFlowVersionCte: not a CTE name or parameter: ${source}, ${version}`);
  return `pinned AS (UPDATE "SurveyCall" SET "flowVersion" = ${version}::text
     WHERE id IN (SELECT "surveyId" FROM ${source}) AND "flowVersion" IS NULL AND ${version}::text IS NOT NULL)`;
}
