import { addDays, dayRangeInstants, isoWeekMonday, isoWeekOf, isoWeeksInYear, localDay } from "../lib/calendar.js";

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
  if (week < 1 || week > isoWeeksInYear(year)) return null;
  return { year, week };
}

export function formatIsoWeek(w: IsoWeek): string {
  return `${w.year}-W${String(w.week).padStart(2, "0")}`;
}

const fromCalendar = (w: { weekYear: number; week: number }): IsoWeek => ({ year: w.weekYear, week: w.week });

export function addWeeks(w: IsoWeek, n: number): IsoWeek {
  return fromCalendar(isoWeekOf(addDays(isoWeekMonday(w.year, w.week), 7 * n)));
}

export function compareWeeks(a: IsoWeek, b: IsoWeek): number {
  return a.year - b.year || a.week - b.week;
}

/** The ISO week of an instant's local date in the organization's time zone. */
export function weekOf(instant: Date, timeZone: string): IsoWeek {
  return fromCalendar(isoWeekOf(localDay(instant, timeZone)));
}

/** Monday 00:00 to next Monday 00:00 local time, as instants [start, end). */
export function weekRange(w: IsoWeek, timeZone: string): { start: Date; end: Date } {
  const monday = isoWeekMonday(w.year, w.week);
  return dayRangeInstants(monday, addDays(monday, 6), timeZone);
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
