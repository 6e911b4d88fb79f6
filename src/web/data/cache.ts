/**
 * A small in-process cache for results of weeks that are over: answers are
 * stamped when stored, so a finished week's numbers only change through
 * retention or a late answer around midnight on Sunday; a few minutes of
 * staleness in a trend line is the price of not recomputing eight or twelve
 * weeks on every page view and live update.
 */
const entries = new Map<string, { at: number; value: Promise<unknown> }>();
const MAX_ENTRIES = 5000;
export const PAST_WEEK_TTL_MS = 5 * 60_000;

export function cached<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && now - hit.at < ttlMs) return hit.value as Promise<T>;
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  const value = compute();
  entries.set(key, { at: now, value });
  // A failure is not remembered.
  value.catch(() => entries.delete(key));
  return value;
}
