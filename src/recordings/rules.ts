/**
 * Pure rules for voice messages. Unit-tested in test/recordings.rules.test.ts.
 */

/** Shorter recordings are silence or a breath before hanging up, never a message. */
export const MIN_MESSAGE_SECONDS = 2;

export function isEmptyRecording(durationSeconds: number): boolean {
  return durationSeconds < MIN_MESSAGE_SECONDS;
}

/** Failed downloads retried quickly this many times, then slowly (Twilio keeps its copy meanwhile). */
export const FAST_DOWNLOAD_RETRIES = 6;
const FAST_BASE_MS = 30_000;
const FAST_MAX_MS = 30 * 60_000;
const SLOW_MS = 60 * 60_000;

/**
 * Wait before the next download (or Twilio-side delete) attempt after
 * `failures` failures: 30 s doubling up to 30 min for the first few, then
 * hourly for as long as it takes. Jitter (random in [0, 1)) spreads retries
 * of recordings that failed together; it only ever lengthens the wait by up
 * to a quarter.
 */
export function downloadRetryDelayMs(failures: number, random: number): number {
  const step =
    failures <= FAST_DOWNLOAD_RETRIES ? Math.min(FAST_MAX_MS, FAST_BASE_MS * 2 ** Math.max(0, failures - 1)) : SLOW_MS;
  return Math.round(step * (1 + 0.25 * Math.min(Math.max(random, 0), 1)));
}

/** Where Twilio serves a recording's audio: built from the configured API base, never from a callback. */
export function recordingMediaUrl(apiUrl: string | undefined, accountSid: string, recordingSid: string): string {
  const base = (apiUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
  return `${base}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}.wav`;
}

/** Storage key of a survey's message: one per survey, organization first (per-tenant deletion, S3 prefixes). */
export function voiceMessageKey(organizationId: string, surveyId: string): string {
  return `${organizationId}/${surveyId}.wav`;
}
