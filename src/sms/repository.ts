import { erasedNumberCte } from "../intake/repository.js";
import { pinnedFlowVersionCte } from "../survey/repository.js";
import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const existsRow = z.strictObject({ x: z.number() });
const callerHashRow = z.strictObject({ organizationId: z.string(), hash: z.string().nullable() });

const countRow = z.strictObject({ n: z.number() });

/**
 * SQL of SurveySms (owned by src/sms). Every statement that ends an SMS's
 * life (sent, failed, skipped, claim lost) erases the caller's encrypted
 * number in the same statement: the number is kept only while an SMS is due.
 */

/**
 * A CTE for survey/state.ts's transition: on the final move, schedule the
 * survey's one SMS (unique on surveyId) instead of erasing the number. Reads
 * the `moved` CTE (id, "completedCallId", "organizationId"). If the row
 * already existed (it cannot: final states have no way back) the number is
 * erased as usual.
 */
export function SCHEDULE_SMS_CTE(dueAtSql: string): string {
  return `sms AS (
       INSERT INTO "SurveySms" (id, "surveyId", "organizationId", "dueAt")
       SELECT gen_random_uuid(), id, "organizationId", ${dueAtSql} FROM moved
       ON CONFLICT ("surveyId") DO NOTHING
       RETURNING id
     ),
     ${erasedNumberCte("moved", { unlessRowsIn: "sms" })}`;
}

/** A claimed SMS with what sending it needs, read in the claiming statement. */
const claimedSmsRow = z.strictObject({
  id: z.string(),
  surveyId: z.string(),
  organizationId: z.string(),
  attempts: z.number(),
  createdAt: z.date(),
  flowId: z.string(),
  organizationName: z.string(),
  orgSettings: z.unknown(),
  timeZone: z.string(),
  groupSettings: z.unknown(),
  callerNumberEnc: z.instanceof(Uint8Array).nullable(),
  callerHash: z.string().nullable(),
  optedOut: z.boolean(),
}) satisfies z.ZodType<ClaimedSmsRow>;

export interface ClaimedSmsRow {
  id: string;
  surveyId: string;
  organizationId: string;
  attempts: number;
  createdAt: Date;
  flowId: string;
  organizationName: string;
  orgSettings: unknown;
  timeZone: string;
  groupSettings: unknown;
  callerNumberEnc: Uint8Array | null;
  callerHash: string | null;
  optedOut: boolean;
}

/**
 * Claims due SMS (bounded batch, FOR UPDATE SKIP LOCKED: several instances
 * never take the same row) with a fresh token, counting the attempt.
 */
export async function claimDueSms(
  db: Db,
  c: { now: Date; limit: number; token: string; instanceNote?: string },
): Promise<ClaimedSmsRow[]> {
  return sqlRows(
    db,
    claimedSmsRow,
    `WITH claimed AS (
       UPDATE "SurveySms" SET state = 'sending', "claimToken" = $3::uuid, "claimedAt" = $1::timestamptz,
              attempts = attempts + 1
        WHERE id IN (SELECT id FROM "SurveySms" WHERE state = 'due' AND "dueAt" <= $1::timestamptz
                      ORDER BY "dueAt" LIMIT $2::int FOR UPDATE SKIP LOCKED)
       RETURNING id, "surveyId", "organizationId", attempts, "createdAt"
     )
     SELECT c.id, c."surveyId", c."organizationId", c.attempts, c."createdAt", s."flowId",
            o.name AS "organizationName", o.settings AS "orgSettings", o."timeZone", g.settings AS "groupSettings",
            cc."callerNumberEnc", cc."callerHash",
            EXISTS (SELECT 1 FROM "OptOut" x WHERE x."organizationId" = c."organizationId"
                      AND x."numberHash" = cc."callerHash") AS "optedOut"
       FROM claimed c
       JOIN "SurveyCall" s ON s.id = c."surveyId"
       JOIN "CompletedCall" cc ON cc.id = s."completedCallId"
       JOIN "Organization" o ON o.id = c."organizationId"
       JOIN "AnswerGroup" g ON g.id = s."groupId"`,
    [c.now, c.limit, c.token],
  );
}

/** Re-checks the opt-out right before sending: an opt-out may arrive after the claim. */
export async function isOptedOut(db: Db, organizationId: string, numberHash: string): Promise<boolean> {
  const rows = await sqlRows(
    db,
    existsRow,
    `SELECT 1 AS x FROM "OptOut" WHERE "organizationId" = $1::uuid AND "numberHash" = $2::text`,
    [organizationId, numberHash],
    { prepare: true },
  );
  return rows.length > 0;
}

export type SmsEnd =
  | { state: "sent"; messageSid: string; twilioStatus: string }
  | { state: "failed" | "skipped"; reason: string; errorCode?: string | null };

/**
 * Ends the claimed SMS's life and erases the number, guarded on the claim
 * (zero rows = the claim was lost: someone else ended it). A status callback
 * that beat the REST response may already have recorded a later status; the
 * state then follows it.
 */
export async function finishSms(
  db: Db,
  f: { id: string; token: string; at: Date; end: SmsEnd; flowVersion?: string },
): Promise<boolean> {
  const e = f.end;
  const rows = await sqlRows(
    db,
    countRow,
    `WITH done AS (
       UPDATE "SurveySms" SET
              state = CASE WHEN $3::text = 'sent' AND "twilioStatus" IN ('delivered', 'undelivered', 'failed')
                           THEN "twilioStatus" ELSE $3::text END,
              "messageSid" = coalesce($4::text, "messageSid"),
              "twilioStatus" = CASE WHEN "twilioStatus" IS NULL THEN $5::text ELSE "twilioStatus" END,
              reason = $6::text, "errorCode" = coalesce($7::text, "errorCode"),
              "sentAt" = CASE WHEN $3::text = 'sent' THEN $8::timestamptz ELSE NULL END,
              "claimToken" = NULL
        WHERE id = $1::uuid AND "claimToken" = $2::uuid AND state = 'sending'
       RETURNING "surveyId"
     ),
     ${erasedNumberCte("done", { by: "surveyId" })},
     sent AS (SELECT "surveyId" FROM done WHERE $3::text = 'sent'),
     ${pinnedFlowVersionCte("sent", "$9")}
     SELECT count(*)::int AS n FROM done`,
    [
      f.id,
      f.token,
      e.state,
      e.state === "sent" ? e.messageSid : null,
      e.state === "sent" ? e.twilioStatus : null,
      e.state === "sent" ? null : e.reason,
      e.state === "sent" ? null : (e.errorCode ?? null),
      f.at,
      f.flowVersion ?? null,
    ],
  );
  return rows[0].n === 1;
}

/** Puts a claimed SMS back as due at `dueAt` (a retryable error, or outside calling hours). */
export async function releaseSms(
  db: Db,
  r: { id: string; token: string; dueAt: Date; errorCode?: string | null; giveBackAttempt?: boolean },
): Promise<boolean> {
  const rows = await sqlRows(
    db,
    countRow,
    `WITH r AS (
       UPDATE "SurveySms" SET state = 'due', "dueAt" = $3::timestamptz, "claimToken" = NULL, "claimedAt" = NULL,
              "errorCode" = coalesce($4::text, "errorCode"),
              attempts = attempts - CASE WHEN $5::boolean THEN 1 ELSE 0 END
        WHERE id = $1::uuid AND "claimToken" = $2::uuid AND state = 'sending'
       RETURNING id
     ) SELECT count(*)::int AS n FROM r`,
    [r.id, r.token, r.dueAt, r.errorCode ?? null, r.giveBackAttempt ?? false],
  );
  return rows[0].n === 1;
}

/**
 * Claims whose holder vanished (killed mid-send): the message may or may not
 * exist at Twilio, so it is never sent again; the row ends as failed with
 * reason claim_lost and the number is erased.
 */
export async function abandonStaleClaims(db: Db, olderThan: Date): Promise<number> {
  const rows = await sqlRows(
    db,
    countRow,
    `WITH lost AS (
       UPDATE "SurveySms" SET state = 'failed', reason = 'claim_lost', "claimToken" = NULL
        WHERE state = 'sending' AND "claimedAt" < $1::timestamptz
       RETURNING "surveyId"
     ),
     ${erasedNumberCte("lost", { by: "surveyId" })}
     SELECT count(*)::int AS n FROM lost`,
    [olderThan],
  );
  return rows[0].n;
}

/**
 * A delivery status callback: recorded only if it moves the status forward
 * (`rank` is the new status's place, rules.statusRank), so a replay or an
 * out-of-order callback changes nothing. Returns whether it was recorded.
 */
export async function recordSmsStatus(
  db: Db,
  s: { id: string; messageSid: string; status: string; rank: number; errorCode: string | null; at: Date },
): Promise<boolean> {
  const rows = await sqlRows(
    db,
    countRow,
    `WITH u AS (
       UPDATE "SurveySms" SET "twilioStatus" = $3::text, "statusAt" = $6::timestamptz,
              "errorCode" = coalesce($5::text, "errorCode"),
              state = CASE WHEN state IN ('sent', 'delivered', 'undelivered', 'failed') AND $3::text IN ('delivered', 'undelivered', 'failed')
                           THEN $3::text ELSE state END
        WHERE id = $1::uuid AND ("messageSid" IS NULL OR "messageSid" = $2::text)
          AND state IN ('sending', 'sent', 'delivered', 'undelivered', 'failed')
          AND $4::int > CASE "twilioStatus" ${RANK_CASE} ELSE -1 END
       RETURNING id
     ) SELECT count(*)::int AS n FROM u`,
    [s.id, s.messageSid, s.status, s.rank, s.errorCode, s.at],
  );
  return rows[0].n === 1;
}

const RANK_CASE = `WHEN 'accepted' THEN 0 WHEN 'scheduled' THEN 0 WHEN 'queued' THEN 1 WHEN 'sending' THEN 2
  WHEN 'sent' THEN 3 WHEN 'delivered' THEN 4 WHEN 'undelivered' THEN 4 WHEN 'failed' THEN 4 WHEN 'read' THEN 5`;

/** The caller hash behind a message (for a 21610 reported in a status callback). */
export async function smsCallerHash(
  db: Db,
  id: string,
): Promise<{ organizationId: string; hash: string | null } | null> {
  const rows = await sqlRows(
    db,
    callerHashRow,
    `SELECT m."organizationId", cc."callerHash" AS hash FROM "SurveySms" m
       JOIN "SurveyCall" s ON s.id = m."surveyId" JOIN "CompletedCall" cc ON cc.id = s."completedCallId"
      WHERE m.id = $1::uuid`,
    [id],
  );
  return rows[0] ?? null;
}

/** Remembers an inbound message; false when its MessageSid was seen before (a replay). */
export async function rememberInbound(db: Db, i: { messageSid: string; kind: string; at: Date }): Promise<boolean> {
  const rows = await sqlRows(
    db,
    countRow,
    `WITH i AS (INSERT INTO "InboundSms" ("messageSid", kind, "receivedAt") VALUES ($1::text, $2::text, $3::timestamptz)
                ON CONFLICT ("messageSid") DO NOTHING RETURNING 1)
     SELECT count(*)::int AS n FROM i`,
    [i.messageSid, i.kind, i.at],
  );
  return rows[0].n === 1;
}

/**
 * Forgets inbound messages received before `before` (retention calls this
 * nightly). A MessageSid is kept only to answer a replayed webhook with
 * nothing; Twilio's own retries come within minutes.
 */
export async function purgeInboundSms(db: Db, before: Date): Promise<number> {
  return (await db.inboundSms.deleteMany({ where: { receivedAt: { lt: before } } })).count;
}
