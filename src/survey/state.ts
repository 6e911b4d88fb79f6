import { erasedNumberCte } from "../intake/repository.js";
import type { Prisma } from "../generated/prisma/client.js";
import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";
import { surveyEntered } from "../lib/metrics.js";
import type { SurveyState } from "../generated/prisma/enums.js";
import { SCHEDULE_SMS_CTE } from "../sms/repository.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const movedCountRow = z.strictObject({ moved: z.number() });

export const FINAL_STATES: ReadonlySet<SurveyState> = new Set([
  "completed",
  "partial",
  "no_answer",
  "machine",
  "failed",
  "opted_out",
  "expired",
  "canceled",
]);

/** Which state may follow which. Anything else is a late or duplicated callback and is ignored. */
const ALLOWED: Record<SurveyState, SurveyState[]> = {
  scheduled: ["dialling", "expired", "canceled"],
  dialling: [
    "in_progress",
    "scheduled",
    "no_answer",
    "machine",
    "failed",
    "expired",
    "canceled",
    "completed",
    "partial",
    "opted_out",
  ],
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

/** SurveyCall columns a transition may set along with the state, and how each is cast. */
const CHANGE_COLUMNS = {
  progress: "jsonb",
  startedAt: "timestamptz",
  flowVersion: "text",
  answeredBy: "text",
  outcome: "text",
  nextAttemptAt: "timestamptz",
  claimedBy: "text",
  claimedAt: "timestamptz",
  errorCode: "text",
  errorMessage: "text",
  callSid: "text",
} as const;

export interface SurveyChanges {
  progress?: unknown;
  startedAt?: Date;
  flowVersion?: string;
  answeredBy?: string;
  outcome?: string;
  nextAttemptAt?: Date | null;
  claimedBy?: string | null;
  claimedAt?: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  callSid?: string | null;
  /** Gives back the attempt a claim counted: no call was made. */
  attempts?: { decrement: 1 };
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
  data?: SurveyChanges;
  /** Also guard on no keypress having proved a human (answering-machine detection loses to a keypress). */
  unlessHuman?: boolean;
  /** Also guard on the dispatcher's claim still being this one (src/dispatch/fence.ts). */
  claimToken?: string;
  /**
   * On a final state: schedule the survey's one SMS fallback (src/sms) at this time and keep the
   * encrypted number until it is sent or given up, instead of erasing it now.
   */
  smsDueAt?: Date;
}

/**
 * Moves a survey from one of `from` to `to` with a guarded update (zero rows =
 * someone else moved it first: returns false), records a SurveyEvent, and on a
 * final state erases the caller's encrypted number, keeping only its hash.
 * One statement (data-modifying CTEs), so all of it happens or none, in one
 * round trip; inside a transaction it runs on the transaction's connection.
 */
export async function transition(db: Db, t: TransitionInput): Promise<boolean> {
  const froms = Array.isArray(t.from) ? t.from : [t.from];
  const allowed = froms.filter((f) => canTransition(f, t.to) || f === t.to);
  if (allowed.length === 0) return false;
  const final = FINAL_STATES.has(t.to);
  const params: unknown[] = [
    t.surveyId,
    t.to,
    t.at,
    JSON.stringify(allowed),
    t.event,
    froms.length === 1 ? froms[0] : null,
    t.callSid ?? null,
    t.detail ? JSON.stringify(t.detail) : null,
  ];
  const sets = [`state = $2::"SurveyState"`, `"updatedAt" = $3::timestamptz`];
  if (final) sets.push(`"endedAt" = $3::timestamptz`);
  for (const [key, value] of Object.entries(t.data ?? {})) {
    if (value === undefined) continue;
    if (key === "attempts") {
      sets.push(`attempts = attempts - 1`);
      continue;
    }
    const cast = CHANGE_COLUMNS[key as keyof typeof CHANGE_COLUMNS];
    if (!cast) throw new Error(`transition: ${key} is not a column a transition may set`);
    params.push(
      cast === "jsonb"
        ? JSON.stringify(value)
        : value instanceof Date
          ? value.toISOString()
          : value === null
            ? null
            : String(value),
    );
    sets.push(`"${key}" = $${params.length}::${cast}`);
  }
  const sms = final && t.smsDueAt !== undefined;
  if (sms) params.push(t.smsDueAt!.toISOString());
  const smsParam = params.length;
  let fence = "";
  if (t.claimToken !== undefined) {
    params.push(t.claimToken);
    fence = ` AND "claimToken" = $${params.length}::uuid`;
  }
  const rows = await sqlRows(
    db,
    movedCountRow,
    `WITH moved AS (
       UPDATE "SurveyCall" SET ${sets.join(", ")}
        WHERE id = $1::uuid AND state::text IN (SELECT jsonb_array_elements_text($4::jsonb))${t.unlessHuman ? ` AND "answeredBy" IS DISTINCT FROM 'human'` : ""}${fence}
       RETURNING id, "completedCallId", "organizationId"
     ),
     ev AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "fromState", "toState", "callSid", detail)
       SELECT id, $3::timestamptz, $5::text, $6::text, $2::text, $7::text, $8::jsonb FROM moved
     )${
       sms
         ? `,
     ${SCHEDULE_SMS_CTE(`$${smsParam}::timestamptz`)}`
         : final
           ? `,
     ${erasedNumberCte("moved")}`
           : ""
     }
     SELECT count(*)::int AS moved FROM moved`,
    params,
    // By primary key only: the plan cannot depend on table size.
    { prepare: true },
  );
  if (rows[0].moved === 1) surveyEntered(t.to);
  return rows[0].moved === 1;
}

/** Records an event without a state change (callbacks, retries, errors). */
export async function recordEvent(
  db: Db,
  e: { surveyId: string; at: Date; type: string; callSid?: string | null; detail?: Record<string, unknown> },
) {
  await db.surveyEvent.create({
    data: {
      surveyId: e.surveyId,
      at: e.at,
      type: e.type,
      callSid: e.callSid ?? null,
      detail: e.detail as Prisma.InputJsonObject | undefined,
    },
  });
}
