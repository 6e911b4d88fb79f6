import type { SurveyState } from "../generated/prisma/enums.js";
import { nextCallingTime, type CallingWindowSpec } from "../intake/calling-window.js";
import { scrubPhoneNumbers } from "../lib/scrub.js";

/**
 * Pure dispatch rules: values in, values out, no clock of their own.
 * Unit-tested in test/dispatch.rules.test.ts.
 */

/** Seconds Twilio lets the phone ring. Twilio may add ~5 s on top (documented buffer). */
export const RING_TIMEOUT_SECONDS = 25;
/** Hard cap on one survey call: seven questions plus a two-minute message fit well inside. */
export const CALL_TIME_LIMIT_SECONDS = 600;

export type CallStatus =
  "queued" | "initiated" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "no-answer" | "canceled";

export const FINAL_CALL_STATUSES: ReadonlySet<string> = new Set([
  "completed",
  "busy",
  "failed",
  "no-answer",
  "canceled",
]);

export interface RetryPolicy {
  maxRetries: number;
  retryDelayMinutes: number;
}

export type RetryDecision =
  { kind: "retry"; at: Date } | { kind: "final"; reason: "retries_exhausted" | "would_expire" | "no_calling_time" };

/**
 * After a no-answer or busy: another attempt after retryDelayMinutes, moved
 * into calling hours, only while attempts ≤ maxRetries (attempts counts dials
 * made so far, so with the default of 1 retry the first dial may be retried
 * once) and only if that attempt can still start before the survey expires.
 */
export function decideRetry(
  input: { attempts: number; now: Date; expiresAt: Date },
  policy: RetryPolicy,
  window: CallingWindowSpec,
): RetryDecision {
  if (input.attempts > policy.maxRetries) return { kind: "final", reason: "retries_exhausted" };
  const earliest = new Date(input.now.getTime() + policy.retryDelayMinutes * 60_000);
  const at = nextCallingTime(earliest, window);
  if (!at) return { kind: "final", reason: "no_calling_time" };
  if (at.getTime() >= input.expiresAt.getTime()) return { kind: "final", reason: "would_expire" };
  return { kind: "retry", at };
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Twilio 429/5xx and definite network failures on calls.create. */
export const DIAL_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 5 * 60_000 };

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random,
 * so instances that failed together do not come back together, yet the wait
 * never collapses to zero. `failures` starts at 1; `random` in [0, 1).
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * Math.min(Math.max(random, 0), 1));
}

/** Margin for clock skew, callback delivery and our own tick interval. */
const RECONCILE_MARGIN_SECONDS = 120;

/**
 * How long after the claim a call can possibly still be alive: it may wait for
 * its slot and in Twilio's CPS queue, ring (timeout + Twilio's buffer), then
 * last at most the time limit. Past this, the state is stale and the call's
 * status is fetched from Twilio.
 */
export function maxCallLifetimeMs(
  ringTimeoutSeconds = RING_TIMEOUT_SECONDS,
  timeLimitSeconds = CALL_TIME_LIMIT_SECONDS,
): number {
  return (ringTimeoutSeconds + 5 + timeLimitSeconds + RECONCILE_MARGIN_SECONDS) * 1000;
}

/**
 * A claim without a Call SID (REST timeout, or the instance died mid-request)
 * is checked against Twilio's call list once the request certainly ended:
 * the REST timeout plus a margin for Twilio's list to show a new call.
 */
export function unconfirmedDialSettleMs(restTimeoutMs: number): number {
  return restTimeoutMs + 30_000;
}

export type CallOutcome =
  | { kind: "retryable"; outcome: "no_answer" | "busy" }
  | { kind: "final"; state: SurveyState; outcome: string }
  | { kind: "ignore" };

/**
 * Maps Twilio's final CallStatus (callback or fetched) onto the survey. Only
 * final statuses move state; queued/initiated/ringing/in-progress are history.
 *
 * `completed` means the call was answered and ended. Still `in_progress`
 * means the flow did not reach its end: with at least one answer that is a
 * partial survey; with none the citizen hung up before the first answer.
 * That last case is final `no_answer` with outcome
 * "hung_up_before_first_answer": not `partial` (which means answers exist),
 * and not retried, because picking up and hanging up is a refusal and calling
 * back would be the nuisance the service must never be. The same holds when
 * the call completes while still `dialling` (answered, but the flow never
 * started, e.g. the TwiML fetch failed).
 */
export function outcomeForCallStatus(status: string, state: SurveyState, answerCount: number): CallOutcome {
  switch (status) {
    case "no-answer":
      return state === "dialling" ? { kind: "retryable", outcome: "no_answer" } : { kind: "ignore" };
    case "busy":
      return state === "dialling" ? { kind: "retryable", outcome: "busy" } : { kind: "ignore" };
    case "failed":
    case "canceled":
      return state === "dialling" || state === "in_progress"
        ? { kind: "final", state: "failed", outcome: status === "failed" ? "twilio_failed" : "twilio_canceled" }
        : { kind: "ignore" };
    case "completed":
      if (state === "in_progress") {
        return answerCount > 0
          ? { kind: "final", state: "partial", outcome: "hung_up" }
          : { kind: "final", state: "no_answer", outcome: "hung_up_before_first_answer" };
      }
      if (state === "dialling") return { kind: "final", state: "no_answer", outcome: "hung_up_before_first_answer" };
      return { kind: "ignore" };
    default:
      return { kind: "ignore" };
  }
}

export const MACHINE_ANSWERS: ReadonlySet<string> = new Set([
  "machine_start",
  "machine_end_beep",
  "machine_end_silence",
  "machine_end_other",
  "fax",
]);

/** A keypress is proof of a human; detection is not. */
export function shouldHangUpOnMachine(answeredBy: string, knownAnsweredBy: string | null): boolean {
  return MACHINE_ANSWERS.has(answeredBy) && knownAnsweredBy !== "human";
}

/** Twilio REST failures on calls.create, sorted by whether a call may exist. */
export type DialFailure =
  | { kind: "not_created_retry"; code: string; message: string }
  | { kind: "not_created_final"; code: string; message: string }
  | { kind: "uncertain"; code: string; message: string };

// Errors raised before the request reached Twilio: certainly no call.
const PRE_SEND_ERRORS = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CERT_HAS_EXPIRED",
]);

/**
 * Classifies a calls.create error. Twilio answered 429 or 5xx → it did not
 * create the call, try again later. Another 4xx (401, 21211 invalid number…)
 * → retrying cannot help. Anything else (timeout, reset connection) may have
 * created a call whose response we lost: "uncertain", to be resolved against
 * Twilio's call list, never by dialling again.
 */
export function classifyDialError(err: { status?: unknown; code?: unknown; message?: unknown }): DialFailure {
  const message = typeof err.message === "string" ? scrubPhoneNumbers(err.message).slice(0, 500) : "unknown error";
  if (typeof err.status === "number") {
    const code = err.code !== undefined && err.code !== null ? String(err.code) : `http_${err.status}`;
    if (err.status === 429 || err.status >= 500) return { kind: "not_created_retry", code, message };
    if (err.status >= 400) return { kind: "not_created_final", code, message };
  }
  const code = typeof err.code === "string" ? err.code : "network_error";
  if (PRE_SEND_ERRORS.has(code)) return { kind: "not_created_retry", code, message };
  return { kind: "uncertain", code, message };
}
