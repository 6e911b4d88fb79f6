import { TZDate, tzScan } from "@date-fns/tz";
import {
  addDays as addDaysFns,
  differenceInCalendarDays,
  getISOWeek,
  getISOWeekYear,
  getISOWeeksInYear,
  lastDayOfMonth as lastDayOfMonthFns,
  setISOWeek,
  startOfISOWeek,
} from "date-fns";

/**
 * The one calendar of the service (docs/architecture.md): local days, ISO
 * weeks and week-years, months, tertials, and the instants of local wall-clock
 * times in an IANA zone, all on @date-fns/tz + date-fns. Every feature asks
 * this module; daylight-saving edges (in Europe/Stockholm the last Sundays of
 * March and October, 02:00 → 03:00 and 03:00 → 02:00) are tested here once.
 *
 * A local calendar day is a string YYYY-MM-DD. Day arithmetic is done on UTC
 * midnights, where every day has 24 hours; only the step between a day and
 * an instant involves the zone.
 */
export type Day = string;

const UTC = "UTC";
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/**
 * Pure day arithmetic, remembered per argument: a TZDate asks Intl for its
 * zone's offset on every field it reads, and a period page (13 weeks, last
 * year's, 6 tertials, 12 months, per svarsgrupp and agent) did tens of
 * thousands of these, most of its CPU (bench/RESULTS.md, period pages). The
 * answers never change; the bound keeps a long-running process small.
 */
function remembered<A extends (string | number)[], R>(f: (...args: A) => R): (...args: A) => R {
  const known = new Map<string, R>();
  return (...args: A): R => {
    const key = args.join("|");
    const hit = known.get(key);
    if (hit !== undefined) return hit;
    if (known.size >= 20_000) known.clear();
    const value = f(...args);
    known.set(key, value);
    return value;
  };
}

/** UTC midnight of a day, zone-aware so date-fns reads its fields in UTC. */
const utcDay = (day: Day): TZDate => new TZDate(Date.parse(`${day}T00:00:00Z`), UTC);
const toDay = (d: Date): Day => {
  const t = new TZDate(d.getTime(), UTC);
  return `${pad(t.getFullYear(), 4)}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
};

export const dayOf = (year: number, month: number, day: number): Day => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

/** True for an existing calendar date written YYYY-MM-DD. */
export const isValidDay = remembered(
  (day: string): boolean =>
    /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && toDay(utcDay(day)) === day,
);

export const addDays = remembered((day: Day, n: number): Day => toDay(addDaysFns(utcDay(day), n)));
export const daysBetween = remembered((from: Day, to: Day): number =>
  differenceInCalendarDays(utcDay(to), utcDay(from)),
);
/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export const weekdayOf = remembered((day: Day): number => utcDay(day).getDay());

export interface IsoWeek {
  weekYear: number;
  week: number;
}

/** ISO 8601 week: Monday–Sunday; the Thursday decides the week-year (30 Dec 2024 is 2025-W01, 1 Jan 2027 is 2026-W53). */
const isoWeekFields = remembered((day: Day): readonly [number, number] => {
  const d = utcDay(day);
  return [getISOWeekYear(d), getISOWeek(d)];
});
export function isoWeekOf(day: Day): IsoWeek {
  const [weekYear, week] = isoWeekFields(day);
  return { weekYear, week };
}

/** 52 or 53 (2020 and 2026 have 53). */
export const isoWeeksInYear = remembered((weekYear: number): number =>
  getISOWeeksInYear(utcDay(dayOf(weekYear, 6, 1))),
);

/** The Monday of an ISO week. */
export const isoWeekMonday = remembered(
  // 4 January is always in week 1 of its week-year.
  (weekYear: number, week: number): Day => toDay(startOfISOWeek(setISOWeek(utcDay(dayOf(weekYear, 1, 4)), week))),
);

export const lastDayOfMonth = remembered((year: number, month: number): Day =>
  toDay(lastDayOfMonthFns(utcDay(dayOf(year, month, 1)))),
);

/** Tertial of a month: P1 January–April, P2 May–August, P3 September–December. */
export const tertialOfMonth = (month: number): 1 | 2 | 3 => Math.ceil(month / 4) as 1 | 2 | 3;

export const tertialRange = (year: number, tertial: number): { from: Day; to: Day } => ({
  from: dayOf(year, (tertial - 1) * 4 + 1, 1),
  to: lastDayOfMonth(year, tertial * 4),
});

/** Same date one year earlier; 29 February becomes 28 February. */
export function sameDayLastYear(day: Day): Day {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return dayOf(y - 1, m, Math.min(d, Number(lastDayOfMonth(y - 1, m).slice(8))));
}

/** Wall-clock fields of an instant in a zone. `minute` counts from local midnight (with seconds as a fraction). */
export interface LocalTime {
  day: Day;
  year: number;
  month: number;
  date: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  minute: number;
}

export function localTime(instant: Date, timeZone: string): LocalTime {
  const t = new TZDate(instant.getTime(), timeZone);
  const [year, month, date] = [t.getFullYear(), t.getMonth() + 1, t.getDate()];
  return {
    day: dayOf(year, month, date),
    year,
    month,
    date,
    weekday: t.getDay(),
    minute: t.getHours() * 60 + t.getMinutes() + t.getSeconds() / 60,
  };
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export const localDay = (instant: Date, timeZone: string): Day => localTime(instant, timeZone).day;

/**
 * The instant of a local wall-clock time: `minute` after local midnight of
 * `day` (1440 is the next midnight). A time skipped by the spring change
 * (02:30 on the last Sunday of March in Stockholm) moves forward by the gap
 * (03:30); a time that occurs twice in autumn is taken the second time.
 */
export function wallClockInstant(day: Day, minute: number, timeZone: string): Date {
  const whole = Math.floor(minute / 1440);
  const [y, m, d] = addDays(day, whole).split("-").map(Number) as [number, number, number];
  const rest = minute - whole * 1440;
  return new Date(new TZDate(y, m - 1, d, Math.floor(rest / 60), rest % 60, 0, 0, timeZone).getTime());
}

/** The instant a local calendar day begins (23 or 25 hours before the next one on DST days). */
export const localDayStart = (day: Day, timeZone: string): Date => wallClockInstant(day, 0, timeZone);

/** [start, end) instants of an inclusive range of local days. */
export function dayRangeInstants(from: Day, to: Day, timeZone: string): { start: Date; end: Date } {
  return { start: localDayStart(from, timeZone), end: localDayStart(addDays(to, 1), timeZone) };
}

/** The zone's offset changes in a calendar year: for Stockholm the last Sundays of March (+60 min) and October (−60). */
export function offsetChanges(year: number, timeZone: string): { at: Date; changeMinutes: number }[] {
  return tzScan(timeZone, {
    start: new Date(Date.UTC(year, 0, 1) - 86_400_000),
    end: new Date(Date.UTC(year + 1, 0, 1) + 86_400_000),
  })
    .filter((c) => localTime(c.date, timeZone).year === year)
    .map((c) => ({ at: c.date, changeMinutes: c.change }));
}
