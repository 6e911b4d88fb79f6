import { performance } from "node:perf_hooks";
import type { AppContext } from "../context.js";
import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const idRow = z.strictObject({ id: z.string() });

/**
 * Fencing: no instance places a call for a claim it no longer holds, however
 * long it was paused (SIGSTOP, a VM pause, a long GC).
 *
 * 1. The claim writes a fresh `claimToken` and a lease on the database's clock
 *    (`claimLeaseUntil`). Whoever takes a claim over (reconcile.ts) writes a new
 *    token in the same guarded update, so the old holder's token stops matching.
 * 2. Just before calls.create the holder marks the send with a guarded update:
 *    its token, still `dialling`, no Call SID, lease not over by the database's
 *    clock. Zero rows: the claim is lost, nothing is sent. From `sendingAt` on
 *    a call may exist, and reconciliation asks Twilio before it reschedules.
 * 3. The mark opens a short local deadline (SEND_DEADLINE_MS), checked right
 *    before the request on both the monotonic and the wall clock, so a process
 *    paused after its mark that wakes late never sends. Reconciliation only
 *    reschedules a marked claim when Twilio lists no call and the mark is older
 *    than that deadline plus the REST timeout's settle time.
 *
 * What remains is a pause between the deadline check and the request's bytes
 * leaving the socket (synchronous code, well under a millisecond) lasting
 * longer than SEND_DEADLINE_MS + the settle time: see docs/architecture.md.
 */

/** The claim's lifetime on the database's clock: shorter than the age at which reconcile.ts takes a claim over. */
export const CLAIM_LEASE_MS = 45_000;
/** From the start of the send mark to the request: the mark comes MARK_LEAD_MS before the slot, plus its tolerance. */
export const SEND_DEADLINE_MS = 1_500;
/** How long before its send slot a call is marked (one round trip, with room). */
export const MARK_LEAD_MS = 200;

/** Test seams: an awaited hook where a process could be paused, and the monotonic clock. */
export interface DispatchOptions {
  /** Monotonic milliseconds (performance.now by default). */
  monotonicNow?: () => number;
  hooks?: {
    /** Before the send mark (the claim is held, no call may exist yet). */
    beforeMark?: (surveyId: string) => Promise<void>;
    /** After the send mark, before the deadline check and calls.create; with the send slot it waited for (local epoch ms). */
    beforeSend?: (surveyId: string, slotAtMs: number) => Promise<void>;
  };
}

export interface Fence {
  token: string;
  /** True while a request may still start under this mark. */
  holds(): boolean;
}

/**
 * The guarded update before calls.create (point 2 above). Returns the fence
 * whose deadline starts before the statement is sent, or null when the claim
 * is no longer this holder's.
 */
export async function markSending(
  ctx: Pick<AppContext, "prisma" | "now">,
  survey: { id: string; claimToken: string },
  opts: DispatchOptions = {},
): Promise<Fence | null> {
  const mono = opts.monotonicNow ?? (() => performance.now());
  const mono0 = mono();
  const wall0 = ctx.now().getTime();
  const marked = await markSendingRow(ctx.prisma, { surveyId: survey.id, token: survey.claimToken, at: ctx.now() });
  if (!marked) return null;
  return {
    token: survey.claimToken,
    holds: () => mono() - mono0 < SEND_DEADLINE_MS && ctx.now().getTime() - wall0 < SEND_DEADLINE_MS,
  };
}

async function markSendingRow(db: Db, m: { surveyId: string; token: string; at: Date }): Promise<boolean> {
  const rows = await sqlRows(
    db,
    idRow,
    `UPDATE "SurveyCall" SET "sendingAt" = $3::timestamptz
      WHERE id = $1::uuid AND "claimToken" = $2::uuid AND state = 'dialling' AND "callSid" IS NULL
        AND "claimLeaseUntil" > clock_timestamp()
      RETURNING id`,
    [m.surveyId, m.token, m.at],
    // By primary key: the plan cannot depend on table size.
    { prepare: true },
  );
  return rows.length === 1;
}
