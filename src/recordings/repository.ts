import { randomUUID } from "node:crypto";
import { z } from "zod";
import { sqlExecute, sqlRows, type Db } from "../lib/db.js";
import { VoiceMessageState } from "../generated/prisma/enums.js";

/*
 * The voice-message path in single statements: Prisma's update/updateMany cost
 * up to three round trips each (BEGIN, UPDATE, COMMIT), and a recording used to
 * take ten. Every statement here reaches its rows by primary or unique key, so
 * its plan cannot depend on table size and it may be prepared. "updatedAt" is
 * set explicitly: Prisma's @updatedAt does not reach raw SQL.
 */
const BY_KEY = { prepare: true } as const;

/** What processing a leased message needs. */
export interface LeasedVoiceMessage {
  id: string;
  surveyId: string;
  organizationId: string;
  recordingSid: string;
  state: VoiceMessageState;
  durationSeconds: number;
  downloadAttempts: number;
  deletedAtTwilio: Date | null;
}

const leasedRow = z.strictObject({
  id: z.string(),
  surveyId: z.string(),
  organizationId: z.string(),
  recordingSid: z.string(),
  state: z.enum(VoiceMessageState),
  durationSeconds: z.number(),
  downloadAttempts: z.number(),
  deletedAtTwilio: z.date().nullable(),
}) satisfies z.ZodType<LeasedVoiceMessage>;

/** registerVoiceMessage's row: the survey's match, and the new message's columns (all null when none was inserted). */
const registeredRow = z.strictObject({
  sameCall: z.boolean().nullable(),
  existingRecordingSid: z.string().nullable(),
  id: z.string().nullable(),
  surveyId: z.string().nullable(),
  organizationId: z.string().nullable(),
  recordingSid: z.string().nullable(),
  state: z.enum(VoiceMessageState).nullable(),
  durationSeconds: z.number().nullable(),
  downloadAttempts: z.number().nullable(),
  deletedAtTwilio: z.date().nullable(),
});

const LEASED_COLUMNS = `id, "surveyId", "organizationId", "recordingSid", state, "durationSeconds", "downloadAttempts", "deletedAtTwilio"`;

export interface NewVoiceMessage {
  surveyId: string;
  callSid: string;
  recordingSid: string;
  recordingUrl: string | null;
  state: "pending" | "discarded";
  durationSeconds: number;
  at: Date;
  lastError: string | null;
  /** Set to a lease expiry, the inserting worker holds the message from the start. */
  nextDownloadAt: Date | null;
  eventDetail: Record<string, unknown>;
}

export type RegisterResult =
  | { kind: "unknown-survey" }
  | { kind: "other-call" }
  | { kind: "duplicate"; existingRecordingSid: string | null }
  | { kind: "created"; vm: LeasedVoiceMessage };

/**
 * Registers a completed recording and its "recording-callback" event, in one
 * statement: the survey row is read, the message inserted only when the Call
 * SID matches, and the event only when the message was new, so a replay (or a
 * second recording for one survey) adds nothing. ON CONFLICT without a target
 * covers both unique keys (recordingSid, surveyId). The existing recording is
 * read from the statement's snapshot, so it is the one that blocked the insert.
 */
export async function registerVoiceMessage(db: Db, m: NewVoiceMessage): Promise<RegisterResult> {
  const rows = await sqlRows(
    db,
    registeredRow,
    `WITH s AS (
       SELECT id, "organizationId", "groupId", "agentId", "callSid" FROM "SurveyCall" WHERE id = $1::uuid
     ),
     vm AS (
       INSERT INTO "VoiceMessage" (id, "surveyId", "organizationId", "groupId", "agentId", "recordingSid", "recordingUrl",
                                   state, "durationSeconds", "recordedAt", "lastError", "nextDownloadAt", "createdAt", "updatedAt")
       SELECT $3::uuid, id, "organizationId", "groupId", "agentId", $4::text, $5::text,
              $6::"VoiceMessageState", $7::int, $8::timestamptz, $9::text, $10::timestamptz, $8::timestamptz, $8::timestamptz
         FROM s WHERE "callSid" = $2::text
       ON CONFLICT DO NOTHING
       RETURNING ${LEASED_COLUMNS}
     ),
     ev AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "callSid", detail)
       SELECT "surveyId", $8::timestamptz, 'recording-callback', $2::text, $11::jsonb FROM vm
     )
     SELECT s."callSid" = $2::text AS "sameCall",
            (SELECT "recordingSid" FROM "VoiceMessage" WHERE "surveyId" = $1::uuid) AS "existingRecordingSid",
            vm.*
       FROM s LEFT JOIN vm ON true`,
    [
      m.surveyId,
      m.callSid,
      randomUUID(),
      m.recordingSid,
      m.recordingUrl,
      m.state,
      m.durationSeconds,
      m.at,
      m.lastError,
      m.nextDownloadAt,
      JSON.stringify(m.eventDetail),
    ],
    BY_KEY,
  );
  const row = rows[0];
  if (!row) return { kind: "unknown-survey" };
  if (!row.sameCall) return { kind: "other-call" };
  if (!row.id) return { kind: "duplicate", existingRecordingSid: row.existingRecordingSid };
  const { sameCall: _s, existingRecordingSid: _e, ...vm } = row;
  return { kind: "created", vm: leasedRow.parse(vm) };
}

/**
 * A recording callback that brings no audio (failed, absent): only the event,
 * and only for the survey's own call. Returns the survey's Call SID match as
 * registerVoiceMessage does, for the caller's log.
 */
export async function recordRecordingEvent(
  db: Db,
  e: { surveyId: string; callSid: string; at: Date; detail: Record<string, unknown> },
): Promise<"unknown-survey" | "other-call" | "recorded"> {
  const rows = await sqlRows(
    db,
    z.strictObject({ sameCall: z.boolean().nullable() }),
    `WITH s AS (SELECT id, "callSid" FROM "SurveyCall" WHERE id = $1::uuid),
     ev AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "callSid", detail)
       SELECT id, $3::timestamptz, 'recording-callback', $2::text, $4::jsonb FROM s WHERE "callSid" = $2::text
     )
     SELECT "callSid" = $2::text AS "sameCall" FROM s`,
    [e.surveyId, e.callSid, e.at, JSON.stringify(e.detail)],
    BY_KEY,
  );
  if (!rows[0]) return "unknown-survey";
  return rows[0].sameCall ? "recorded" : "other-call";
}

/**
 * Takes the processing lease of a due message: a guarded update, so of two
 * workers only one gets the row back. A message with nothing to do has no
 * nextDownloadAt and is never leased.
 */
export async function leaseVoiceMessage(
  db: Db,
  id: string,
  now: Date,
  until: Date,
): Promise<LeasedVoiceMessage | null> {
  const rows = await sqlRows(
    db,
    leasedRow,
    `UPDATE "VoiceMessage" SET "nextDownloadAt" = $3::timestamptz, "updatedAt" = $2::timestamptz
      WHERE id = $1::uuid AND "nextDownloadAt" <= $2::timestamptz
      RETURNING ${LEASED_COLUMNS}`,
    [id, now, until],
    BY_KEY,
  );
  return rows[0] ?? null;
}

/** Records the stored audio; committed before Twilio's copy may be deleted. */
export async function markStored(
  db: Db,
  id: string,
  s: { storageKey: string; contentType: string; sizeBytes: number; at: Date; nextDownloadAt: Date | null },
): Promise<void> {
  await sqlExecute(
    db,
    `UPDATE "VoiceMessage"
        SET state = 'stored', "storageKey" = $2::text, "contentType" = $3::text, "sizeBytes" = $4::int,
            "downloadAttempts" = "downloadAttempts" + 1, "lastError" = NULL,
            "nextDownloadAt" = $5::timestamptz, "updatedAt" = $6::timestamptz
      WHERE id = $1::uuid`,
    [id, s.storageKey, s.contentType, s.sizeBytes, s.nextDownloadAt, s.at],
    BY_KEY,
  );
}

/** A failed attempt: the error and when to try again (null = nothing left to do). */
export async function markAttemptFailed(
  db: Db,
  id: string,
  f: { downloadAttempts?: number; lastError: string; nextDownloadAt: Date; at: Date },
): Promise<void> {
  await sqlExecute(
    db,
    `UPDATE "VoiceMessage"
        SET "downloadAttempts" = COALESCE($2::int, "downloadAttempts"), "lastError" = $3::text,
            "nextDownloadAt" = $4::timestamptz, "updatedAt" = $5::timestamptz
      WHERE id = $1::uuid`,
    [id, f.downloadAttempts ?? null, f.lastError, f.nextDownloadAt, f.at],
    BY_KEY,
  );
}

/** Ends the message's Twilio-side work; deletedAt null = nothing was deleted (kept by configuration). */
export async function markDone(db: Db, id: string, at: Date, deletedAt: Date | null): Promise<void> {
  await sqlExecute(
    db,
    `UPDATE "VoiceMessage"
        SET "deletedAtTwilio" = COALESCE($3::timestamptz, "deletedAtTwilio"), "nextDownloadAt" = NULL, "updatedAt" = $2::timestamptz
      WHERE id = $1::uuid`,
    [id, at, deletedAt],
    BY_KEY,
  );
}

/** A svarsgrupp merge (organizations/groups.ts). */
export function moveVoiceMessagesToGroup(tx: Db, organizationId: string, fromGroupId: string, toGroupId: string) {
  return tx.voiceMessage.updateMany({
    where: { organizationId, groupId: fromGroupId },
    data: { groupId: toGroupId },
  });
}
