import type { Db, Prisma } from "../lib/db.js";

/**
 * The dispatcher's SQL. Raw only where Prisma cannot say it: the claim
 * (FOR UPDATE SKIP LOCKED + event rows in one statement) and the shared
 * slot clock. Everything else goes through Prisma.
 */

export interface ClaimedSurvey {
  id: string;
  organizationId: string;
  groupId: string;
  completedCallId: string;
  attempts: number;
  expiresAt: Date;
}

// Serialises claims across instances so the concurrent-call cap holds in total.
const CLAIM_LOCK_KEY = 0x4e4b4931; // "NKI1"

/**
 * Claims up to `limit` due surveys for this instance, never letting the number
 * of live calls (dialling + in_progress) exceed `maxConcurrent`. One statement
 * moves them to `dialling`, counts the attempt, clears the previous attempt's
 * Call SID and records a "claimed" SurveyEvent for each.
 */
export async function claimDueSurveys(
  prisma: Prisma,
  args: { instanceId: string; now: Date; limit: number; maxConcurrent: number },
): Promise<ClaimedSurvey[]> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`;
    const rows = await tx.$queryRaw<ClaimedSurvey[]>`
      WITH live AS (
        SELECT count(*)::int AS n FROM "SurveyCall" WHERE state IN ('dialling', 'in_progress')
      ), picked AS (
        SELECT id FROM "SurveyCall"
        WHERE state = 'scheduled' AND "nextAttemptAt" <= ${args.now} AND "expiresAt" > ${args.now}
        ORDER BY "nextAttemptAt"
        LIMIT greatest(0, least(${args.limit}::int, ${args.maxConcurrent}::int - (SELECT n FROM live)))
        FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE "SurveyCall" s
        SET state = 'dialling', "claimedBy" = ${args.instanceId}, "claimedAt" = ${args.now},
            attempts = s.attempts + 1, "callSid" = NULL, "updatedAt" = ${args.now}
        FROM picked WHERE s.id = picked.id
        RETURNING s.id, s."organizationId", s."groupId", s."completedCallId", s.attempts, s."expiresAt"
      ), events AS (
        INSERT INTO "SurveyEvent" ("surveyId", at, type, "fromState", "toState", detail)
        SELECT id, ${args.now}, 'claimed', 'scheduled', 'dialling',
               jsonb_build_object('instance', ${args.instanceId}::text, 'attempt', attempts)
        FROM claimed
      )
      SELECT * FROM claimed`;
    return rows;
  });
}

/**
 * Reserves `count` consecutive send slots on the shared clock, the first no
 * sooner than `leadMs` from now (so the answer arrives before it). Returns the
 * first slot's start and the database's "now", both as epoch milliseconds of
 * the database's clock: the only clock all instances share. The slot
 * interval is (1000 / calls-per-second) stretched a little (see throttle.ts).
 */
export async function reserveSlots(
  db: Db,
  args: { key: string; count: number; intervalMs: number; leadMs: number },
): Promise<{ slotStartMs: number; dbNowMs: number }> {
  const span = args.count * args.intervalMs;
  const lead = args.leadMs;
  const rows = await db.$queryRaw<{ slot_start_ms: number; db_now_ms: number }[]>`
    INSERT INTO "DispatchThrottle" (key, "nextSlotAt")
    VALUES (${args.key}, clock_timestamp() + (${lead}::double precision + ${span}::double precision) * interval '1 millisecond')
    ON CONFLICT (key) DO UPDATE
      SET "nextSlotAt" = greatest("DispatchThrottle"."nextSlotAt", clock_timestamp() + ${lead}::double precision * interval '1 millisecond')
                         + ${span}::double precision * interval '1 millisecond'
    RETURNING (extract(epoch FROM "nextSlotAt") * 1000 - ${span}::double precision)::float8 AS slot_start_ms,
              (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS db_now_ms`;
  return { slotStartMs: rows[0]!.slot_start_ms, dbNowMs: rows[0]!.db_now_ms };
}

/** Scheduled surveys whose time ran out; bounded batch. */
export async function findExpired(db: Db, now: Date, limit: number) {
  return db.surveyCall.findMany({
    where: { state: "scheduled", expiresAt: { lte: now } },
    select: { id: true, organizationId: true },
    orderBy: { expiresAt: "asc" },
    take: limit,
  });
}

/** What a dial needs beyond the claim: number, settings, opt-out status. */
export async function loadDialDetails(db: Db, ids: string[]) {
  return db.surveyCall.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      completedCall: { select: { callerNumberEnc: true, callerHash: true } },
      organization: { select: { settings: true, timeZone: true } },
      group: { select: { settings: true } },
    },
  });
}

/** Call SIDs this survey has already used (its audit trail), to never adopt an old call as the current one. */
export async function knownCallSids(db: Db, surveyId: string): Promise<Set<string>> {
  const rows = await db.surveyEvent.findMany({
    where: { surveyId, callSid: { not: null } },
    select: { callSid: true },
    distinct: ["callSid"],
  });
  return new Set(rows.map((r) => r.callSid!));
}

/** Surveys whose claim is older than the given ages: candidates for reconciliation. */
export async function findStale(db: Db, args: { unconfirmedBefore: Date; liveBefore: Date; limit: number }) {
  return db.surveyCall.findMany({
    where: {
      OR: [
        { state: "dialling", callSid: null, claimedAt: { lte: args.unconfirmedBefore } },
        { state: { in: ["dialling", "in_progress"] }, claimedAt: { lte: args.liveBefore } },
      ],
    },
    select: { id: true, organizationId: true, state: true, callSid: true, claimedAt: true },
    orderBy: { claimedAt: "asc" },
    take: args.limit,
  });
}
