/**
 * Retention periods as pure arithmetic. The choices (documented in
 * docs and the report):
 * - Voice-message audio: deleted `audioRetentionDaysAfterReview` days after the
 *   message was reviewed (default 90); the classification stays.
 * - Completed calls with their surveys, answers and voice messages: deleted
 *   `retentionMonths` after the call (default 25). The per-day rollups stay:
 *   they hold counts per agent and group, nothing about a citizen.
 * - The caller's keyed hash: kept 4 months (as Nordic survey services do),
 *   never less than the once-per-period window plus a day, then nulled. Opt-outs
 *   keep their own hash for as long as they exist.
 * - The caller's encrypted number: erased when the survey ends (survey/state);
 *   a sweep catches calls left behind (skipped, never scheduled, or stuck past
 *   their expiry by more than a day).
 * - Inbound SMS (MessageSid, stop/other, time; never the number or the text):
 *   kept 30 days. Their only purpose is to answer a replayed webhook with
 *   nothing (no second opt-out, no second confirmation); Twilio's retries
 *   come within minutes, and a MessageSid leads to the sender's number in
 *   Twilio's console, so it should not pile up. One sender serves every
 *   organization, so this is not an organization's setting.
 */

export const CALLER_HASH_MONTHS = 4;
export const STALE_CIPHERTEXT_GRACE_MS = 24 * 3_600_000;
export const INBOUND_SMS_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/** The same day-of-month `months` earlier (clamped to the month's last day), same time of day, UTC. */
export function monthsBefore(now: Date, months: number): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - months;
  const target = new Date(
    Date.UTC(y, m, 1, now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(now.getUTCDate(), lastDay));
  return target;
}

/** Audio of messages reviewed before this instant is deleted. */
export function audioPurgeCutoff(now: Date, audioRetentionDaysAfterReview: number): Date {
  return new Date(now.getTime() - audioRetentionDaysAfterReview * DAY_MS);
}

/** Calls received before this instant are deleted with everything that hangs on them. */
export function dataCutoff(now: Date, retentionMonths: number): Date {
  return monthsBefore(now, retentionMonths);
}

/** Calls received before this instant lose their caller hash. */
export function callerHashCutoff(now: Date, repeatWindowDays: number): Date {
  const fourMonths = monthsBefore(now, CALLER_HASH_MONTHS);
  // The hash must outlive the once-per-period rule, whatever an organization sets.
  const window = new Date(now.getTime() - (repeatWindowDays + 1) * DAY_MS);
  return fourMonths < window ? fourMonths : window;
}

export function staleCiphertextCutoff(now: Date): Date {
  return new Date(now.getTime() - STALE_CIPHERTEXT_GRACE_MS);
}

/** Inbound SMS received before this instant are forgotten. */
export function inboundSmsCutoff(now: Date): Date {
  return new Date(now.getTime() - INBOUND_SMS_RETENTION_DAYS * DAY_MS);
}
