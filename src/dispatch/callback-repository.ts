import { z } from "zod";
import { SurveyState } from "../generated/prisma/enums.js";
import { sqlRows, type Db } from "../lib/db.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const adoptedRow = z.strictObject({ adopted: z.number() });
const recordedRow = z.strictObject({ recorded: z.number() });

/** A survey as a Twilio callback finds it, with what deciding its outcome needs. */
export interface CallbackSurvey {
  id: string;
  state: SurveyState;
  callSid: string | null;
  answeredBy: string | null;
  attempts: number;
  expiresAt: Date;
  organizationId: string;
  orgSettings: unknown;
  timeZone: string;
  groupSettings: unknown;
  answers: number;
  /** This callback was recorded before (Twilio replays callbacks). */
  duplicate: boolean;
}

const callbackSurveyRow = z.strictObject({
  id: z.string(),
  state: z.enum(SurveyState),
  callSid: z.string().nullable(),
  answeredBy: z.string().nullable(),
  attempts: z.number(),
  expiresAt: z.date(),
  organizationId: z.string(),
  orgSettings: z.unknown(),
  timeZone: z.string(),
  groupSettings: z.unknown(),
  answers: z.number(),
  duplicate: z.boolean(),
}) satisfies z.ZodType<CallbackSurvey>;

export type AmdSurvey = Pick<
  CallbackSurvey,
  "state" | "answeredBy" | "organizationId" | "orgSettings" | "timeZone" | "groupSettings"
>;

const amdSurveyRow = callbackSurveyRow.pick({
  state: true,
  answeredBy: true,
  organizationId: true,
  orgSettings: true,
  timeZone: true,
  groupSettings: true,
}) satisfies z.ZodType<AmdSurvey>;

/** What an answering-machine verdict needs to know about its survey. By primary keys only, so it may be prepared. */
export async function readSurveyForAmd(db: Db, surveyId: string): Promise<AmdSurvey | null> {
  const [s] = await sqlRows(
    db,
    amdSurveyRow,
    `SELECT s.state::text AS state, s."answeredBy", s."organizationId",
            o.settings AS "orgSettings", o."timeZone", g.settings AS "groupSettings"
       FROM "SurveyCall" s JOIN "Organization" o ON o.id = s."organizationId" JOIN "AnswerGroup" g ON g.id = s."groupId"
      WHERE s.id = $1::uuid`,
    [surveyId],
    { prepare: true },
  );
  return s ?? null;
}

/**
 * Reads the survey and, when the callback is for the survey's current call and
 * was not seen before, records its event: one statement instead of a read, a
 * count and an insert. A delivery is identified by (call, type) and, for status
 * callbacks, the CallStatus (each happens at most once per call). Two copies
 * racing may both be recorded, as before; applying them is guarded elsewhere.
 * Not prepared: Answer and SurveyEvent are reached through non-unique indexes.
 */
export async function readAndRecordCallback(
  db: Db,
  e: {
    surveyId: string;
    callSid: string;
    type: string;
    callStatus?: string;
    at: Date;
    detail?: Record<string, unknown>;
    record: boolean;
  },
): Promise<CallbackSurvey | null> {
  const rows = await sqlRows(
    db,
    callbackSurveyRow,
    `WITH s AS (
       SELECT s.id, s.state::text AS state, s."callSid", s."answeredBy", s.attempts, s."expiresAt", s."organizationId",
              o.settings AS "orgSettings", o."timeZone", g.settings AS "groupSettings",
              (SELECT count(*) FROM "Answer" a WHERE a."surveyId" = s.id)::int AS answers
         FROM "SurveyCall" s
         JOIN "Organization" o ON o.id = s."organizationId"
         JOIN "AnswerGroup" g ON g.id = s."groupId"
        WHERE s.id = $1::uuid
     ),
     seen AS (
       SELECT 1 FROM "SurveyEvent" e
        WHERE e."surveyId" = $1::uuid AND e."callSid" = $2::text AND e.type = $3::text
          AND ($4::text IS NULL OR e.detail->>'callStatus' = $4::text)
        LIMIT 1
     ),
     ins AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "callSid", detail)
       SELECT s.id, $5::timestamptz, $3::text, $2::text, $6::jsonb FROM s
        WHERE $7::boolean AND s."callSid" = $2::text AND NOT EXISTS (SELECT 1 FROM seen)
     )
     SELECT s.*, EXISTS (SELECT 1 FROM seen) AS duplicate FROM s`,
    [e.surveyId, e.callSid, e.type, e.callStatus ?? null, e.at, e.detail ? JSON.stringify(e.detail) : null, e.record],
  );
  return rows[0] ?? null;
}

/**
 * The survey's call adopts a Call SID from a callback while calls.create's
 * answer is still outstanding: only a dialling survey without a SID, and only
 * a SID that is not one of its earlier attempts'. One statement, with its event.
 */
export async function adoptCallSid(db: Db, surveyId: string, callSid: string, at: Date): Promise<boolean> {
  const rows = await sqlRows(
    db,
    adoptedRow,
    `WITH a AS (
       UPDATE "SurveyCall" SET "callSid" = $2::text, "updatedAt" = $3::timestamptz
        WHERE id = $1::uuid AND "callSid" IS NULL AND state = 'dialling'
          AND NOT EXISTS (SELECT 1 FROM "SurveyEvent" e WHERE e."surveyId" = $1::uuid AND e."callSid" = $2::text)
       RETURNING id
     ),
     ev AS (INSERT INTO "SurveyEvent" ("surveyId", at, type, "callSid") SELECT id, $3::timestamptz, 'callsid-from-callback', $2::text FROM a)
     SELECT count(*)::int AS adopted FROM a`,
    [surveyId, callSid, at],
  );
  return rows[0].adopted === 1;
}

/**
 * A human or unknown detection verdict for the survey's current call, recorded
 * once: "answeredBy" is set unless a keypress already said human, and the
 * event says whether that kept it. False when the call is not the survey's,
 * the verdict was recorded before, or there is no such survey (the caller
 * reads to tell which). One statement (not prepared: SurveyEvent is reached by a non-unique index).
 */
export async function recordAmdVerdict(
  db: Db,
  v: { surveyId: string; callSid: string; verdict: "human" | "unknown"; at: Date; detail: Record<string, unknown> },
): Promise<boolean> {
  const rows = await sqlRows(
    db,
    recordedRow,
    `WITH u AS (
       UPDATE "SurveyCall" SET "answeredBy" = CASE WHEN "answeredBy" = 'human' THEN 'human' ELSE $2::text END, "updatedAt" = $3::timestamptz
        WHERE id = $1::uuid AND "callSid" = $4::text
          AND NOT EXISTS (SELECT 1 FROM "SurveyEvent" e WHERE e."surveyId" = $1::uuid AND e."callSid" = $4::text AND e.type = 'amd-callback')
       RETURNING id, "answeredBy" = 'human' AND $2::text <> 'human' AS kept
     ),
     ev AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "callSid", detail)
       SELECT id, $3::timestamptz, 'amd-callback', $4::text, $5::jsonb || jsonb_build_object('kept', kept) FROM u
     )
     SELECT count(*)::int AS recorded FROM u`,
    [v.surveyId, v.verdict, v.at, v.callSid, JSON.stringify(v.detail)],
  );
  return rows[0].recorded === 1;
}
