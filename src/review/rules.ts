/**
 * Pure rules of the weekly listening queue: ISO weeks in the organization's
 * time zone, what "reviewed" means, and the order of the queue.
 */

export const CLASSIFICATIONS = ["klagomal", "berom", "forslag", "fraga", "inget"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/**
 * Synpunkter (klagomål, beröm, förslag) are registered in the case system
 * (Flexite); a question or "nothing to register" is done once classified.
 */
const NEEDS_REGISTRATION: ReadonlySet<string> = new Set(["klagomal", "berom", "forslag"]);

export function needsRegistration(classification: string | null): boolean {
  return classification !== null && NEEDS_REGISTRATION.has(classification);
}

/** Reviewed = classified, and registered with a case reference when the classification is a synpunkt. */
export function isReviewed(m: { classification: string | null; registeredAt: Date | null }): boolean {
  if (m.classification === null) return false;
  return !needsRegistration(m.classification) || m.registeredAt !== null;
}

export interface IsoWeek {
  year: number;
  week: number;
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

export function parseIsoWeek(s: string): IsoWeek | null {
  const m = WEEK_RE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (week < 1 || week > weeksInIsoYear(year)) return null;
  return { year, week };
}

export function formatIsoWeek(w: IsoWeek): string {
  return `${w.year}-W${String(w.week).padStart(2, "0")}`;
}

/** ISO week of a calendar date given as UTC midnight of that date. */
function isoWeekOfDate(day: Date): IsoWeek {
  const d = new Date(day.getTime());
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - dow + 3); // Thursday decides the year
  const year = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return { year, week };
}

function weeksInIsoYear(year: number): number {
  return isoWeekOfDate(new Date(Date.UTC(year, 11, 28))).week;
}

/** Calendar date (UTC midnight) of the Monday of an ISO week. */
export function mondayOf(w: IsoWeek): Date {
  const jan4 = new Date(Date.UTC(w.year, 0, 4));
  const monday1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday1 + (w.week - 1) * 7 * 86_400_000);
}

export function addWeeks(w: IsoWeek, n: number): IsoWeek {
  return isoWeekOfDate(new Date(mondayOf(w).getTime() + n * 7 * 86_400_000));
}

export function compareWeeks(a: IsoWeek, b: IsoWeek): number {
  return a.year - b.year || a.week - b.week;
}

// Building an Intl formatter costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
export function zonedParts(instant: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** Offset of the time zone from UTC at an instant, in milliseconds. */
function offsetMs(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant local midnight of a calendar date (UTC midnight) occurs in a time zone. */
export function localMidnight(day: Date, timeZone: string): Date {
  const guess = day.getTime() - offsetMs(day, timeZone);
  // Re-check at the guessed instant: the offset may differ across a DST change.
  return new Date(day.getTime() - offsetMs(new Date(guess), timeZone));
}

export function weekOf(instant: Date, timeZone: string): IsoWeek {
  const p = zonedParts(instant, timeZone);
  return isoWeekOfDate(new Date(Date.UTC(p.year, p.month - 1, p.day)));
}

/** Monday 00:00 to next Monday 00:00 local time, as instants [start, end). */
export function weekRange(w: IsoWeek, timeZone: string): { start: Date; end: Date } {
  const monday = mondayOf(w);
  return {
    start: localMidnight(monday, timeZone),
    end: localMidnight(new Date(monday.getTime() + 7 * 86_400_000), timeZone),
  };
}

export interface QueueOrderKey {
  reviewed: boolean;
  recordedAt: Date;
  id: string;
}

/** Unreviewed first (oldest first, so carried-over messages lead), then reviewed, oldest first. */
export function compareQueueOrder(a: QueueOrderKey, b: QueueOrderKey): number {
  if (a.reviewed !== b.reviewed) return a.reviewed ? 1 : -1;
  return a.recordedAt.getTime() - b.recordedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
