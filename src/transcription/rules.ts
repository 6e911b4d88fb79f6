/**
 * Pure rules of the transcription job: what is worth transcribing, when to try
 * again, when to give up, and which words to mark as uncertain.
 */

/** Shorter messages are "hm" or a hang-up; a speech model invents text for them. */
export const MIN_TRANSCRIBE_SECONDS = 3;

/** Attempts before a message is marked failed (the reason is kept). */
export const MAX_ATTEMPTS = 6;

/** A worker holds a claimed message this long past its own timeout before another may take it. */
export const LEASE_MARGIN_MS = 60_000;

/** Words the server is less sure of than this are marked in the queue. */
export const LOW_CONFIDENCE = 0.6;

export function isTooShort(durationSeconds: number): boolean {
  return durationSeconds < MIN_TRANSCRIBE_SECONDS;
}

/**
 * Wait before attempt `failures + 1`: 30 s, 2 min, 8 min, 32 min, 2 h…
 * capped at 6 h, with ±20 % jitter so that a server that comes back is not hit by
 * every message in the same second. `random` in [0, 1).
 */
export function retryDelayMs(failures: number, random: number): number {
  const base = Math.min(30_000 * 4 ** Math.max(0, failures - 1), 6 * 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random));
}

export type AttemptOutcome =
  { status: "pending"; nextAttemptAt: Date; lastError: string } | { status: "failed"; lastError: string };

/** After a failed attempt: try again later, or give up when it cannot get better or too many failed. */
export function afterFailure(
  attempts: number,
  error: { message: string; retryable: boolean },
  now: Date,
  random: number,
): AttemptOutcome {
  if (!error.retryable || attempts >= MAX_ATTEMPTS) {
    const why = error.retryable ? `gave up after ${attempts} attempts: ${error.message}` : error.message;
    return { status: "failed", lastError: why.slice(0, 500) };
  }
  return {
    status: "pending",
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, random)),
    lastError: error.message.slice(0, 500),
  };
}

/** The flow's language as ISO 639-1 ("sv-SE" → "sv"); Swedish when unknown. */
export function transcriptionLanguage(surveyLanguage: string | null | undefined): string {
  const m = /^([a-z]{2})(?:[-_][A-Za-z]{2})?$/.exec(surveyLanguage ?? "");
  return m?.[1] ?? "sv";
}
