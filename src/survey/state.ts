import type { Db } from "../lib/db.js";
import type { SurveyState } from "../generated/prisma/enums.js";

export const FINAL_STATES: ReadonlySet<SurveyState> = new Set([
  "completed", "partial", "no_answer", "machine", "failed", "opted_out", "expired", "canceled",
]);

/** Which state may follow which. Anything else is a late or duplicated callback and is ignored. */
const ALLOWED: Record<SurveyState, SurveyState[]> = {
  scheduled: ["dialling", "expired", "canceled"],
  dialling: ["in_progress", "scheduled", "no_answer", "machine", "failed", "expired", "canceled", "completed", "partial", "opted_out"],
  in_progress: ["completed", "partial", "machine", "opted_out", "failed", "no_answer"],
  completed: [],
  partial: ["completed"],
  no_answer: [],
  machine: [],
  failed: [],
  opted_out: [],
  expired: [],
  canceled: [],
};

export function canTransition(from: SurveyState, to: SurveyState): boolean {
  return ALLOWED[from].includes(to);
}

export interface TransitionInput {
  surveyId: string;
  from: SurveyState | SurveyState[];
  to: SurveyState;
  at: Date;
  /** Event type for the audit trail, e.g. "status-callback", "claimed", "keypress". */
  event: string;
  callSid?: string | null;
  detail?: Record<string, unknown>;
  /** Extra columns to set in the same guarded update. */
  data?: Record<string, unknown>;
}

/**
 * Moves a survey from one of `from` to `to` with a guarded update (zero rows =
 * someone else moved it first: returns false), records a SurveyEvent, and on a
 * final state erases the caller's encrypted number, keeping only its hash.
 * Call inside a transaction when other writes must go with it.
 */
export async function transition(db: Db, t: TransitionInput): Promise<boolean> {
  const froms = Array.isArray(t.from) ? t.from : [t.from];
  const allowed = froms.filter((f) => canTransition(f, t.to) || f === t.to);
  if (allowed.length === 0) return false;
  const final = FINAL_STATES.has(t.to);
  const { count } = await db.surveyCall.updateMany({
    where: { id: t.surveyId, state: { in: allowed } },
    data: { state: t.to, ...(final ? { endedAt: t.at } : {}), ...t.data },
  });
  if (count === 0) return false;
  await db.surveyEvent.create({
    data: {
      surveyId: t.surveyId,
      at: t.at,
      type: t.event,
      fromState: froms.length === 1 ? froms[0] : null,
      toState: t.to,
      callSid: t.callSid ?? null,
      detail: (t.detail ?? undefined) as never,
    },
  });
  if (final) {
    const s = await db.surveyCall.findUniqueOrThrow({ where: { id: t.surveyId }, select: { completedCallId: true } });
    await db.completedCall.update({ where: { id: s.completedCallId }, data: { callerNumberEnc: null } });
  }
  return true;
}

/** Records an event without a state change (callbacks, retries, errors). */
export async function recordEvent(
  db: Db,
  e: { surveyId: string; at: Date; type: string; callSid?: string | null; detail?: Record<string, unknown> },
) {
  await db.surveyEvent.create({
    data: { surveyId: e.surveyId, at: e.at, type: e.type, callSid: e.callSid ?? null, detail: (e.detail ?? undefined) as never },
  });
}
