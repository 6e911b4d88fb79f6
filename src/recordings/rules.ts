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

/** What Twilio is asked for (RECORDING_FORMAT): it serves a recording as WAV or, about a tenth the size, MP3. */
export type RecordingFormat = "mp3" | "wav";

export const RECORDING_CONTENT_TYPES: Record<RecordingFormat, string> = { mp3: "audio/mpeg", wav: "audio/wav" };

/** Where Twilio serves a recording's audio: built from the configured API base, never from a callback. */
export function recordingMediaUrl(
  apiUrl: string | undefined,
  accountSid: string,
  recordingSid: string,
  format: RecordingFormat,
): string {
  const base = (apiUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
  return `${base}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}.${format}`;
}

/** Storage key of a survey's message: one per survey, organization first (per-tenant deletion, S3 prefixes). */
export function voiceMessageKey(organizationId: string, surveyId: string, format: RecordingFormat): string {
  return `${organizationId}/${surveyId}.${format}`;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,200}$/;

/** Keys are built by the service (organization/survey.ext); anything else is refused before any backend sees it. */
export function checkKey(key: string): string {
  if (!SAFE_KEY.test(key) || key.includes("..")) throw new Error(`unsafe storage key: ${key}`);
  return key;
}

/** Probe objects live under this prefix; the move and rotate commands skip it. */
export const PROBE_PREFIX = "probe/";
