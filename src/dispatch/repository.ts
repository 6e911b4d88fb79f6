import { z } from "zod";
import { sqlExecute, sqlLiteral, sqlRows, sqlScript, type Db, type Prisma } from "../lib/db.js";
import { CLAIM_LEASE_MS } from "./fence.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const slotsRow = z.strictObject({ slot_start_ms: z.number(), db_now_ms: z.number() });

/**
 * The dispatcher's SQL. Raw where Prisma cannot say it (FOR UPDATE SKIP
 * LOCKED, the shared slot clock) or would need several round trips for what
 * one statement does (the claim with its dial details, recording a dial).
 */

export interface ClaimedSurvey {
  id: string;
  organizationId: string;
  groupId: string;
  completedCallId: string;
  flowId: string;
  attempts: number;
  expiresAt: Date;
  /** This claim's fencing token (fence.ts). */
  claimToken: string;
}

/** A claim and what its dial-time checks need: number, settings, opt-out status. */
export interface ClaimedForDial {
  survey: ClaimedSurvey;
  callerNumberEnc: Uint8Array | null;
  optedOut: boolean;
  organization: { settings: unknown; timeZone: string };
  group: { settings: unknown };
}

const claimRow = z.strictObject({
  id: z.string(),
  organizationId: z.string(),
  groupId: z.string(),
  completedCallId: z.string(),
  flowId: z.string(),
  attempts: z.number(),
  expiresAt: z.date(),
  claimToken: z.string(),
  callerNumberEnc: z.instanceof(Uint8Array).nullable(),
  optedOut: z.boolean(),
  orgSettings: z.unknown(),
  timeZone: z.string(),
  groupSettings: z.unknown(),
}) satisfies z.ZodType<ClaimedSurvey>;

// Serialises claims across instances so the concurrent-call cap holds in total.
const CLAIM_LOCK_KEY = 0x4e4b4931; // "NKI1"

/**
 * Claims up to `limit` due surveys for this instance, never letting the number
 * of live calls (dialling + in_progress) exceed `maxConcurrent`. One statement
 * moves them to `dialling`, counts the attempt, clears the previous attempt's
 * Call SID, records a "claimed" SurveyEvent for each and returns what the
 * dial-time checks need, so the tick makes no further read before dialling.
 * The opt-out check sees every opt-out committed before this statement began;
 * one committed later could as well commit between any later check and
 * calls.create (the slot wait alone can be seconds), so a separate read after
 * COMMIT would close no race, only cost a round trip.
 */
export async function claimDueSurveys(
  prisma: Prisma,
  args: { instanceId: string; now: Date; limit: number; maxConcurrent: number },
): Promise<ClaimedForDial[]> {
  if (!Number.isInteger(args.limit) || !Number.isInteger(args.maxConcurrent))
    throw new RangeError("limit and maxConcurrent must be integers");
  const now = `${sqlLiteral(args.now)}::timestamptz`;
  const instance = `${sqlLiteral(args.instanceId)}::text`;
  // Two statements, one round trip: the lock first, then the claim, whose
  // snapshot (READ COMMITTED: taken when that statement starts) therefore sees
  // every claim committed before the lock was granted, so the live count holds.
  const rows = await sqlScript(prisma, claimRow, [
    `SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`,
    `WITH live AS (
       SELECT count(*)::int AS n FROM "SurveyCall" WHERE state IN ('dialling', 'in_progress')
     ), picked AS (
       SELECT id FROM "SurveyCall"
       WHERE state = 'scheduled' AND "nextAttemptAt" <= ${now} AND "expiresAt" > ${now}
       ORDER BY "nextAttemptAt"
       LIMIT greatest(0, least(${sqlLiteral(args.limit)}::int, ${sqlLiteral(args.maxConcurrent)}::int - (SELECT n FROM live)))
       FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE "SurveyCall" s
       SET state = 'dialling', "claimedBy" = ${instance}, "claimedAt" = ${now},
           attempts = s.attempts + 1, "callSid" = NULL, "updatedAt" = ${now},
           "claimToken" = gen_random_uuid(), "sendingAt" = NULL,
           "claimLeaseUntil" = clock_timestamp() + ${sqlLiteral(CLAIM_LEASE_MS)}::int * interval '1 millisecond'
       FROM picked WHERE s.id = picked.id
       RETURNING s.id, s."organizationId", s."groupId", s."completedCallId", s."flowId", s.attempts, s."expiresAt",
                 s."claimToken"::text AS "claimToken"
     ), events AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "fromState", "toState", detail)
       SELECT id, ${now}, 'claimed', 'scheduled', 'dialling', jsonb_build_object('instance', ${instance}, 'attempt', attempts)
       FROM claimed
     )
     SELECT c.*, cc."callerNumberEnc", o.settings AS "orgSettings", o."timeZone", g.settings AS "groupSettings",
            EXISTS (SELECT 1 FROM "OptOut" x WHERE x."organizationId" = c."organizationId" AND x."numberHash" = cc."callerHash") AS "optedOut"
     FROM claimed c
     JOIN "CompletedCall" cc ON cc.id = c."completedCallId"
     JOIN "Organization" o ON o.id = c."organizationId"
     JOIN "AnswerGroup" g ON g.id = c."groupId"`,
  ]);
  return rows.map(({ callerNumberEnc, optedOut, orgSettings, timeZone, groupSettings, ...survey }) => ({
    survey,
    callerNumberEnc,
    optedOut,
    organization: { settings: orgSettings, timeZone },
    group: { settings: groupSettings },
  }));
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
  const rows = await sqlRows(
    db,
    slotsRow,
    `INSERT INTO "DispatchThrottle" (key, "nextSlotAt")
     VALUES ($1::text, clock_timestamp() + ($2::double precision + $3::double precision) * interval '1 millisecond')
     ON CONFLICT (key) DO UPDATE
       SET "nextSlotAt" = greatest("DispatchThrottle"."nextSlotAt", clock_timestamp() + $2::double precision * interval '1 millisecond')
                          + $3::double precision * interval '1 millisecond'
     RETURNING (extract(epoch FROM "nextSlotAt") * 1000 - $3::double precision)::float8 AS slot_start_ms,
               (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS db_now_ms`,
    [args.key, args.leadMs, span],
    // One row by primary key: the plan cannot depend on table size. The round
    // trip is also the offset estimate's uncertainty (throttle.ts), so keep it short.
    { prepare: true },
  );
  return { slotStartMs: rows[0].slot_start_ms, dbNowMs: rows[0].db_now_ms };
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

/**
 * The call Twilio created for this claim: its SID (unless a callback already
 * brought it, which can beat the REST response) and the "dialled" event, in
 * one statement, so both or neither are stored.
 */
export async function recordDialled(
  db: Db,
  d: { surveyId: string; callSid: string; at: Date; detail: Record<string, unknown> },
) {
  await sqlExecute(
    db,
    `WITH sid AS (
       UPDATE "SurveyCall" SET "callSid" = $2::text, "updatedAt" = $3::timestamptz WHERE id = $1::uuid AND "callSid" IS NULL
     )
     INSERT INTO "SurveyEvent" ("surveyId", at, type, "callSid", detail) VALUES ($1::uuid, $3::timestamptz, 'dialled', $2::text, $4::jsonb)`,
    [d.surveyId, d.callSid, d.at, JSON.stringify(d.detail)],
    // By primary key and an insert: the plan cannot depend on table size.
    { prepare: true },
  );
}

/** calls.create ended without an answer (timeout, reset): the error on a still-dialling survey and a "dial-uncertain" event, together. */
export async function recordDialUncertain(
  db: Db,
  d: { surveyId: string; at: Date; code: string | null; message: string | null },
) {
  await sqlExecute(
    db,
    `WITH err AS (
       UPDATE "SurveyCall" SET "errorCode" = $3::text, "errorMessage" = $4::text, "updatedAt" = $2::timestamptz
        WHERE id = $1::uuid AND state = 'dialling'
     )
     INSERT INTO "SurveyEvent" ("surveyId", at, type, detail)
     VALUES ($1::uuid, $2::timestamptz, 'dial-uncertain', jsonb_build_object('code', $3::text, 'message', $4::text))`,
    [d.surveyId, d.at, d.code, d.message],
    { prepare: true },
  );
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
    select: {
      id: true,
      organizationId: true,
      state: true,
      callSid: true,
      claimedAt: true,
      claimToken: true,
      sendingAt: true,
    },
    orderBy: { claimedAt: "asc" },
    take: args.limit,
  });
}
