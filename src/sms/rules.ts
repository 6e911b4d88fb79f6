import type { SurveyState } from "../generated/prisma/enums.js";
import { nextCallingTime, type CallingWindowSpec } from "../intake/calling-window.js";
import { backoffDelayMs, type BackoffPolicy } from "../dispatch/rules.js";
import { scrubPhoneNumbers } from "../lib/scrub.js";

/**
 * Pure rules of the SMS fallback: values in, values out. Unit-tested in
 * test/sms.rules.test.ts.
 */

/**
 * The outcomes after which a survey gets its SMS: the last attempt unanswered
 * or busy, a machine, or hung up before the first question. A citizen who
 * answered questions, opted out, or whose call failed at Twilio gets none.
 */
export function wantsSmsFallback(state: SurveyState, outcome: string | undefined): boolean {
  if (state === "machine") return true;
  if (state !== "no_answer") return false;
  return outcome === "no_answer" || outcome === "busy" || outcome === "hung_up_before_first_answer";
}

/** A short pause after the call ends, so the SMS does not arrive while the phone still rings off. */
export const SMS_DELAY_MS = 60_000;

/** When the SMS is due: the next moment inside the organization's calling hours; null = fallback off or no calling time. */
export function smsDueAt(
  input: { enabled: boolean; state: SurveyState; outcome: string | undefined; at: Date },
  window: CallingWindowSpec,
): Date | null {
  if (!input.enabled || !wantsSmsFallback(input.state, input.outcome)) return null;
  return nextCallingTime(new Date(input.at.getTime() + SMS_DELAY_MS), window);
}

/** An SMS not sent within this long of being scheduled is given up: the call is too long ago to ask about. */
export const SMS_MAX_DELAY_MS = 24 * 3600_000;
/** Create attempts for 429/5xx/network-before-send failures. */
export const SMS_MAX_ATTEMPTS = 5;
export const SMS_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 10 * 60_000 };

export type SmsSendFailure =
  | { kind: "retry"; code: string; message: string }
  | { kind: "carrier_opt_out"; code: string; message: string }
  | { kind: "invalid_number"; code: string; message: string }
  | { kind: "final"; code: string; message: string }
  /** The request may have reached Twilio (timeout, reset): never send again. */
  | { kind: "uncertain"; code: string; message: string };

const PRE_SEND_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** Twilio: "The 'To' number is not a valid phone number" and its relatives (not a mobile, unreachable country). */
const INVALID_NUMBER_CODES = new Set(["21211", "21614", "21408", "21612"]);

/** Sorts a messages.create error: 21610 opt-out at the carrier, 21211 invalid, 429/5xx retry, network by phase. */
export function classifySmsError(err: { status?: unknown; code?: unknown; message?: unknown }): SmsSendFailure {
  const message = typeof err.message === "string" ? scrubPhoneNumbers(err.message).slice(0, 300) : "unknown error";
  if (typeof err.status === "number") {
    const code = err.code !== undefined && err.code !== null ? String(err.code) : `http_${err.status}`;
    if (code === "21610") return { kind: "carrier_opt_out", code, message };
    if (INVALID_NUMBER_CODES.has(code)) return { kind: "invalid_number", code, message };
    if (err.status === 429 || err.status >= 500) return { kind: "retry", code, message };
    return { kind: "final", code, message };
  }
  const code = typeof err.code === "string" ? err.code : "network_error";
  if (PRE_SEND_ERRORS.has(code)) return { kind: "retry", code, message };
  return { kind: "uncertain", code, message };
}

/** After a retryable failure: the next try, or null when the attempts are used up. */
export function nextSmsTry(attempts: number, now: Date, random: number): Date | null {
  if (attempts >= SMS_MAX_ATTEMPTS) return null;
  return new Date(now.getTime() + backoffDelayMs(attempts, SMS_BACKOFF, random));
}

/** Inbound words that opt a number out, compared without case, spaces or trailing punctuation. */
const STOP_WORDS = new Set(["STOPP", "STOP", "AVSLUTA"]);

export function isStopMessage(body: string): boolean {
  const word = body
    .normalize("NFC")
    .trim()
    .replace(/[\s.!]+$/u, "")
    .toUpperCase();
  return STOP_WORDS.has(word);
}

/** Twilio's message statuses in the order they can happen; a status never moves back. */
const STATUS_RANK: Record<string, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  read: 5,
};

export function statusRank(status: string | null | undefined): number {
  return status ? (STATUS_RANK[status] ?? -1) : -1;
}
