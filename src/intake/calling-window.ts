import { addDays, isValidDay, localDay, localTime, wallClockInstant, weekdayOf } from "../lib/calendar.js";
import { isSwedishHoliday } from "./holidays.js";

/**
 * When a citizen may be called: weekly windows in the organization's IANA time
 * zone (so DST changes move nothing on the wall clock), Swedish public holidays
 * optionally off. Pure: the clock is always an argument.
 */
export interface CallingWindowSpec {
  /** "always", "mon-fri 08:00-20:00", "mon-fri 08:00-20:00,sat 10:00-14:00", "mon,wed-fri 09:00-17:00". */
  callingHours: string;
  skipPublicHolidays: boolean;
  timeZone: string;
}

export interface CallingRule {
  /** Days the rule applies to, 0 = Sunday … 6 = Saturday. */
  days: Set<number>;
  /** Minutes after local midnight; end is exclusive and may be 1440 (24:00). */
  startMinute: number;
  endMinute: number;
}

export class CallingHoursError extends Error {}

const DAY_INDEX: Record<string, number> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  sön: 0,
  mån: 1,
  tis: 2,
  ons: 3,
  tor: 4,
  fre: 5,
  lör: 6,
};

function parseDays(token: string, days: Set<number>, source: string): void {
  const [from, to = from] = token.split("-");
  const a = DAY_INDEX[from];
  const b = DAY_INDEX[to];
  if (a === undefined || b === undefined)
    throw new CallingHoursError(`unknown day "${token}" in calling hours "${source}"`);
  // Ranges may wrap the week ("fri-mon").
  for (let d = a; ; d = (d + 1) % 7) {
    days.add(d);
    if (d === b) break;
  }
}

function parseClock(hhmm: string, source: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 1440)
    throw new CallingHoursError(`bad time "${hhmm}" in calling hours "${source}"`);
  return minutes;
}

const parsed = new Map<string, CallingRule[]>();

/**
 * Parses calling hours. Commas separate both days and rules: a part without a
 * time adds its days to the next part that has one, so "mon-fri,sat 10:00-14:00"
 * and "mon-fri 08:00-20:00,sat 10:00-14:00" both read naturally.
 */
export function parseCallingHours(source: string): CallingRule[] {
  const cached = parsed.get(source);
  if (cached) return cached;
  const text = source.trim().toLowerCase();
  if (text === "always") return [{ days: new Set([0, 1, 2, 3, 4, 5, 6]), startMinute: 0, endMinute: 1440 }];
  const rules: CallingRule[] = [];
  let pending = new Set<number>();
  for (const part of text.split(/\s*[,;]\s*/)) {
    const m = /^(\S+)(?:\s+(\d{2}:\d{2})-(\d{2}:\d{2}))?$/.exec(part);
    if (!m) throw new CallingHoursError(`cannot read "${part}" in calling hours "${source}"`);
    parseDays(m[1], pending, source);
    if (!m[2]) continue;
    const startMinute = parseClock(m[2], source);
    const endMinute = parseClock(m[3], source);
    if (endMinute <= startMinute)
      throw new CallingHoursError(`window ${m[2]}-${m[3]} ends before it starts in "${source}"`);
    rules.push({ days: pending, startMinute, endMinute });
    pending = new Set();
  }
  if (pending.size > 0 || rules.length === 0)
    throw new CallingHoursError(`days without a time in calling hours "${source}"`);
  parsed.set(source, rules);
  return rules;
}

/** Message when the calling hours cannot be read, or null; for validating settings. */
export function callingHoursProblem(source: string): string | null {
  try {
    parseCallingHours(source);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** "2026-03-31 10:15[:30]" read as wall-clock time in the zone; null when not in that form. */
export function wallClockToInstant(text: string, timeZone: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m || !isValidDay(m[1])) return null;
  const instant = wallClockInstant(m[1], Number(m[2]) * 60 + Number(m[3]), timeZone);
  return new Date(instant.getTime() + Number(m[4] ?? 0) * 1000);
}

export function isWithinCallingHours(at: Date, spec: CallingWindowSpec): boolean {
  const rules = parseCallingHours(spec.callingHours);
  const l = localTime(at, spec.timeZone);
  if (spec.skipPublicHolidays && isSwedishHoliday(l.day)) return false;
  return rules.some((r) => r.days.has(l.weekday) && l.minute >= r.startMinute && l.minute < r.endMinute);
}

/** Enough to pass any run of holidays and any weekly pattern. */
const SEARCH_DAYS = 400;

/** `from` itself when inside calling hours, else the start of the next window; null if there is none. */
export function nextCallingTime(from: Date, spec: CallingWindowSpec): Date | null {
  if (isWithinCallingHours(from, spec)) return from;
  const rules = parseCallingHours(spec.callingHours);
  const today = localDay(from, spec.timeZone);
  for (let offset = 0; offset < SEARCH_DAYS; offset++) {
    const day = addDays(today, offset);
    if (spec.skipPublicHolidays && isSwedishHoliday(day)) continue;
    const weekday = weekdayOf(day);
    let best: number | null = null;
    for (const rule of rules) {
      if (!rule.days.has(weekday)) continue;
      const windowStart = wallClockInstant(day, rule.startMinute, spec.timeZone).getTime();
      const windowEnd = wallClockInstant(day, rule.endMinute, spec.timeZone).getTime();
      if (windowEnd <= from.getTime()) continue;
      const candidate = Math.max(windowStart, from.getTime());
      if (best === null || candidate < best) best = candidate;
    }
    if (best !== null) return new Date(best);
  }
  return null;
}
