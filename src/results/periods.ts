import { AppError } from "../lib/errors.js";

/**
 * Reporting periods as inclusive ranges of calendar days (YYYY-MM-DD) in the
 * organization's time zone. The rollup is kept per local day, so a period is
 * exactly a set of rollup days; only queries on raw rows (funnel, queue times)
 * need instants, which `periodInstants` gives DST-correctly.
 *
 * Named periods: `2025` (year), `2018-P2` (tertial: P1 Jan–Apr, P2 May–Aug,
 * P3 Sep–Dec), `2025-03` (month), `2025-W14` (ISO 8601 week, Monday–Sunday;
 * the week-year can differ from the calendar year around New Year),
 * `2025-03-14` (day). Any other range comes as from/to dates.
 */
export type PeriodKind = "day" | "week" | "month" | "tertial" | "year" | "range";

export interface Period {
  kind: PeriodKind;
  /** Canonical name, e.g. "2025-W14"; "2025-01-01..2025-02-15" for a range. */
  label: string;
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export const toUtc = (day: string): Date => new Date(`${day}T00:00:00Z`);
export const formatDay = (d: Date): string =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
export const addDays = (day: string, n: number): string => formatDay(new Date(toUtc(day).getTime() + n * DAY_MS));
export const daysBetween = (from: string, to: string): number =>
  Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS);

function isValidDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(toUtc(day).getTime()) && formatDay(toUtc(day)) === day;
}

/** Monday of ISO week 1: the week containing 4 January. */
function isoWeekOneMonday(weekYear: number): string {
  const jan4 = toUtc(`${pad(weekYear, 4)}-01-04`);
  const weekday = jan4.getUTCDay() || 7;
  return addDays(formatDay(jan4), 1 - weekday);
}

export function isoWeekOf(day: string): { weekYear: number; week: number } {
  const d = toUtc(day);
  const weekday = d.getUTCDay() || 7;
  // The Thursday of the same week decides the week-year.
  const thursday = formatDay(new Date(d.getTime() + (4 - weekday) * DAY_MS));
  const weekYear = Number(thursday.slice(0, 4));
  return { weekYear, week: Math.floor(daysBetween(isoWeekOneMonday(weekYear), thursday) / 7) + 1 };
}

export const isoWeeksInYear = (weekYear: number): number => isoWeekOf(`${pad(weekYear, 4)}-12-28`).week;

const lastDayOfMonth = (y: number, m: number) => formatDay(new Date(Date.UTC(y, m, 0)));

export function weekPeriod(weekYear: number, week: number): Period {
  const from = addDays(isoWeekOneMonday(weekYear), (week - 1) * 7);
  return { kind: "week", label: `${pad(weekYear, 4)}-W${pad(week)}`, from, to: addDays(from, 6) };
}
export const monthPeriod = (y: number, m: number): Period => ({
  kind: "month",
  label: `${pad(y, 4)}-${pad(m)}`,
  from: `${pad(y, 4)}-${pad(m)}-01`,
  to: lastDayOfMonth(y, m),
});
export const tertialPeriod = (y: number, t: number): Period => ({
  kind: "tertial",
  label: `${pad(y, 4)}-P${t}`,
  from: `${pad(y, 4)}-${pad((t - 1) * 4 + 1)}-01`,
  to: lastDayOfMonth(y, t * 4),
});
export const yearPeriod = (y: number): Period => ({
  kind: "year",
  label: pad(y, 4),
  from: `${pad(y, 4)}-01-01`,
  to: `${pad(y, 4)}-12-31`,
});
export const dayPeriod = (day: string): Period => ({ kind: "day", label: day, from: day, to: day });

const invalid = (value: string, why: string) =>
  new AppError("validation_failed", `Invalid period "${value}": ${why}`, [{ field: "period", message: why }]);

export function parsePeriod(value: string): Period {
  let m: RegExpMatchArray | null;
  if ((m = value.match(/^(\d{4})$/))) return yearPeriod(Number(m[1]));
  if ((m = value.match(/^(\d{4})-P([1-3])$/))) return tertialPeriod(Number(m[1]), Number(m[2]));
  if ((m = value.match(/^(\d{4})-W(\d{2})$/))) {
    const [y, w] = [Number(m[1]), Number(m[2])];
    if (w < 1 || w > isoWeeksInYear(y)) throw invalid(value, `${y} has ISO weeks 01–${isoWeeksInYear(y)}`);
    return weekPeriod(y, w);
  }
  if ((m = value.match(/^(\d{4})-(\d{2})$/))) {
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw invalid(value, "month must be 01–12");
    return monthPeriod(Number(m[1]), mo);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    if (!isValidDay(value)) throw invalid(value, "no such date");
    return dayPeriod(value);
  }
  throw invalid(value, "expected YYYY, YYYY-P1..P3, YYYY-Www, YYYY-MM or YYYY-MM-DD");
}

/** An arbitrary inclusive range of days (at most about ten years, to bound queries). */
export function rangePeriod(from: string, to: string): Period {
  for (const [field, d] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (!isValidDay(d))
      throw new AppError("validation_failed", `Invalid ${field} date "${d}"`, [
        { field, message: "expected YYYY-MM-DD" },
      ]);
  }
  if (from > to)
    throw new AppError("validation_failed", "from is after to", [{ field: "from", message: "must not be after to" }]);
  if (daysBetween(from, to) > 3700)
    throw new AppError("validation_failed", "Range too long", [{ field: "to", message: "at most ten years" }]);
  return { kind: "range", label: `${from}..${to}`, from, to };
}

/** Same date one year earlier; 29 February becomes 28 February. */
function sameDayLastYear(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const last = Number(lastDayOfMonth(y - 1, m).slice(8));
  return `${pad(y - 1, 4)}-${pad(m)}-${pad(Math.min(d, last))}`;
}

/**
 * The same period a year earlier: the same ISO week number of the previous
 * week-year (week 53 maps to week 52 when the earlier year has no week 53),
 * the same tertial, month or year, the same calendar day, or a range shifted
 * by one calendar year.
 */
export function previousYear(p: Period): Period {
  const y = Number(p.label.slice(0, 4));
  switch (p.kind) {
    case "year":
      return yearPeriod(y - 1);
    case "tertial":
      return tertialPeriod(y - 1, Number(p.label.slice(6)));
    case "month":
      return monthPeriod(y - 1, Number(p.label.slice(5, 7)));
    case "week":
      return weekPeriod(y - 1, Math.min(Number(p.label.slice(6)), isoWeeksInYear(y - 1)));
    case "day":
      return dayPeriod(sameDayLastYear(p.from));
    case "range":
      return { ...rangePeriod(sameDayLastYear(p.from), sameDayLastYear(p.to)) };
  }
}

/** Offset of a time zone from UTC at an instant, in ms (Stockholm: +1 h in winter, +2 h in summer). */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a local calendar day begins (DST-safe: resolves the offset at that moment). */
export function localDayStart(day: string, timeZone: string): Date {
  const naive = toUtc(day).getTime();
  let guess = naive - zoneOffsetMs(new Date(naive), timeZone);
  // One refinement settles a guess made on the other side of a DST change.
  guess = naive - zoneOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** [start, end) instants of a period in a time zone. */
export function periodInstants(p: Pick<Period, "from" | "to">, timeZone: string): { start: Date; end: Date } {
  return { start: localDayStart(p.from, timeZone), end: localDayStart(addDays(p.to, 1), timeZone) };
}

/** The period of a kind that contains an instant, in the organization's time zone. */
export function periodContaining(kind: Exclude<PeriodKind, "range">, instant: Date, timeZone: string): Period {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    instant,
  );
  const y = Number(day.slice(0, 4));
  const mo = Number(day.slice(5, 7));
  switch (kind) {
    case "day":
      return dayPeriod(day);
    case "week": {
      const w = isoWeekOf(day);
      return weekPeriod(w.weekYear, w.week);
    }
    case "month":
      return monthPeriod(y, mo);
    case "tertial":
      return tertialPeriod(y, Math.ceil(mo / 4));
    case "year":
      return yearPeriod(y);
  }
}
