import { sqlExecute, sqlQuery, type Db } from "../lib/db.js";
import { MIN_TRANSCRIBE_SECONDS } from "./rules.js";

/*
 * The Transcript table's statements. The claim and each outcome are single
 * guarded statements: a worker acts only on a row it claimed, and its result
 * is written only while its lease is still the row's (a re-transcription
 * request, a deletion or another worker after the lease ran out all change
 * that, and the late result is then dropped).
 */

export interface ClaimedTranscript {
  id: string;
  voiceMessageId: string;
  organizationId: string;
  attempts: number;
  /** The lease this worker holds; every outcome is guarded by it. */
  claimedUntil: Date;
}

/**
 * Gives every stored voice message without a transcript one, in a bounded
 * batch: pending, or skipped at once when it is too short to transcribe.
 * Reads the recordings feature's table for nothing but ids, state, length and
 * recording time (copied for search: it never changes).
 */
export async function enqueueStoredMessages(db: Db, now: Date, limit: number): Promise<number> {
  return sqlExecute(
    db,
    `INSERT INTO "Transcript" (id, "voiceMessageId", "organizationId", "recordedAt", status, "lastError", "nextAttemptAt",
                               "createdAt", "updatedAt")
     SELECT gen_random_uuid(), vm.id, vm."organizationId", vm."recordedAt",
            CASE WHEN vm."durationSeconds" < $3 THEN 'skipped'::"TranscriptStatus" ELSE 'pending'::"TranscriptStatus" END,
            CASE WHEN vm."durationSeconds" < $3 THEN 'shorter than ' || $3 || ' s' END,
            $1::timestamptz, $1::timestamptz, $1::timestamptz
       FROM "VoiceMessage" vm
      WHERE vm.state = 'stored' AND vm.kind = 'voice'
        AND NOT EXISTS (SELECT 1 FROM "Transcript" t WHERE t."voiceMessageId" = vm.id)
      ORDER BY vm."recordedAt"
      LIMIT $2
     ON CONFLICT ("voiceMessageId") DO NOTHING`,
    [now, limit, MIN_TRANSCRIBE_SECONDS],
  );
}

/** Claims the next due pending transcript (SKIP LOCKED: two instances never take the same). */
export async function claimNext(db: Db, now: Date, leaseUntil: Date): Promise<ClaimedTranscript | null> {
  const rows = await sqlQuery<ClaimedTranscript>(
    db,
    `UPDATE "Transcript" t
        SET "claimedUntil" = $2::timestamptz, attempts = t.attempts + 1, "updatedAt" = $1::timestamptz
      WHERE t.id = (
        SELECT id FROM "Transcript"
         WHERE status = 'pending' AND "nextAttemptAt" <= $1::timestamptz
           AND ("claimedUntil" IS NULL OR "claimedUntil" < $1::timestamptz)
         ORDER BY "nextAttemptAt"
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
      RETURNING t.id, t."voiceMessageId", t."organizationId", t.attempts, t."claimedUntil"`,
    [now, leaseUntil],
  );
  return rows[0] ?? null;
}

export interface DoneInput {
  text: string;
  segments: unknown;
  language: string | null;
  model: string;
  masked: boolean;
  at: Date;
}

/**
 * Stores the text, only under this worker's lease and only while the voice
 * message still has its audio: a message forgotten or purged meanwhile gets
 * no text. The search vector is written in the same statement.
 */
export async function storeDone(db: Db, claim: ClaimedTranscript, d: DoneInput): Promise<boolean> {
  const n = await sqlExecute(
    db,
    `UPDATE "Transcript" t
        SET status = 'done', text = $3::text, segments = $4::jsonb, language = $5::text, model = $6::text,
            masked = $7::boolean, "lastError" = NULL, "claimedUntil" = NULL, "nextAttemptAt" = NULL,
            "transcribedAt" = $8::timestamptz, "updatedAt" = $8::timestamptz,
            "searchVector" = to_tsvector('swedish', COALESCE(t."correctedText", $3::text))
      WHERE t.id = $1::uuid AND t."claimedUntil" = $2::timestamptz
        AND EXISTS (SELECT 1 FROM "VoiceMessage" vm WHERE vm.id = t."voiceMessageId" AND vm.state = 'stored')`,
    [claim.id, claim.claimedUntil, d.text, JSON.stringify(d.segments), d.language, d.model, d.masked, d.at],
  );
  return n === 1;
}

/** A failed, retried or skipped attempt, under the same lease guard. */
export async function storeOutcome(
  db: Db,
  claim: ClaimedTranscript,
  o: { status: "pending" | "failed" | "skipped"; lastError: string; nextAttemptAt: Date | null; at: Date },
): Promise<boolean> {
  const n = await sqlExecute(
    db,
    `UPDATE "Transcript"
        SET status = $3::"TranscriptStatus", "lastError" = $4::text, "nextAttemptAt" = $5::timestamptz,
            "claimedUntil" = NULL, "updatedAt" = $6::timestamptz
      WHERE id = $1::uuid AND "claimedUntil" = $2::timestamptz`,
    [claim.id, claim.claimedUntil, o.status, o.lastError, o.nextAttemptAt, o.at],
  );
  return n === 1;
}

/**
 * Puts a message (back) in the queue at once: a new transcript or a fresh
 * start for an existing one. Clearing the lease makes a running attempt's
 * late result drop. A manager's correction is kept.
 */
export async function requeue(db: Db, voiceMessageId: string, organizationId: string, now: Date): Promise<void> {
  await sqlExecute(
    db,
    `INSERT INTO "Transcript" (id, "voiceMessageId", "organizationId", "recordedAt", status, "nextAttemptAt", "createdAt",
                               "updatedAt")
     SELECT gen_random_uuid(), vm.id, vm."organizationId", vm."recordedAt", 'pending', $3::timestamptz, $3::timestamptz,
            $3::timestamptz
       FROM "VoiceMessage" vm WHERE vm.id = $1::uuid AND vm."organizationId" = $2::uuid
     ON CONFLICT ("voiceMessageId") DO UPDATE
        SET status = 'pending', attempts = 0, "nextAttemptAt" = $3::timestamptz, "claimedUntil" = NULL,
            "lastError" = NULL, "updatedAt" = $3::timestamptz`,
    [voiceMessageId, organizationId, now],
  );
}

/** A manager's correction; the automatic text stays in `text`. Search follows the correction. */
export async function storeCorrection(
  db: Db,
  voiceMessageId: string,
  c: { text: string | null; userId: string; at: Date },
): Promise<boolean> {
  const n = await sqlExecute(
    db,
    `UPDATE "Transcript"
        SET "correctedText" = $2::text, "correctedById" = $3::uuid, "correctedAt" = $4::timestamptz,
            "updatedAt" = $4::timestamptz,
            "searchVector" = to_tsvector('swedish', COALESCE($2::text, text, ''))
      WHERE "voiceMessageId" = $1::uuid AND (text IS NOT NULL OR $2::text IS NOT NULL)`,
    [voiceMessageId, c.text, c.userId, c.at],
  );
  return n === 1;
}
