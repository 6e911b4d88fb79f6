import {
  addDays,
  dayOf,
  dayRangeInstants,
  daysBetween,
  isoWeekMonday,
  isoWeekOf,
  isoWeeksInYear,
  isValidDay,
  lastDayOfMonth,
  localTime,
  sameDayLastYear,
  tertialOfMonth,
  tertialRange,
  type Day,
} from "../lib/calendar.js";
import { AppError } from "../lib/errors.js";
import { msg, type Messages } from "../i18n/index.js";

/**
 * Reporting periods as inclusive ranges of calendar days (YYYY-MM-DD) in the
 * organization's time zone: the one parser and formatter of periods, with
 * previous/next and "same period last year". The rollup is kept per local
 * day, so a period is exactly a set of rollup days; only queries on raw rows
 * (funnel, queue times) need instants, which `periodInstants` gives.
 *
 * Named periods: `2026` (year), `2026-P3` (tertial: P1 Jan–Apr, P2 May–Aug,
 * P3 Sep–Dec; `2026-T3` is read too), `2026-11` (month), `2026-W48` (ISO 8601
 * week; the week-year can differ from the calendar year around New Year),
 * `2026-11-30` (day). Any other range comes as from/to dates. Years outside
 * 2000–2100 are refused: nothing was answered then, and far years only make
 * date arithmetic fail.
 */
export type PeriodKind = "day" | "week" | "month" | "tertial" | "year" | "range";
export type NamedPeriodKind = Exclude<PeriodKind, "range">;

export interface Period {
  kind: PeriodKind;
  /** Canonical name, e.g. "2026-W48"; "2026-01-01..2026-02-15" for a range. */
  label: string;
  from: string;
  to: string;
}

export { addDays, daysBetween, isoWeekOf, isoWeeksInYear };
export { localDayStart } from "../lib/calendar.js";

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function weekPeriod(weekYear: number, week: number): Period {
  const from = isoWeekMonday(weekYear, week);
  return { kind: "week", label: `${pad(weekYear, 4)}-W${pad(week)}`, from, to: addDays(from, 6) };
}
export const monthPeriod = (y: number, m: number): Period => ({
  kind: "month",
  label: `${pad(y, 4)}-${pad(m)}`,
  from: dayOf(y, m, 1),
  to: lastDayOfMonth(y, m),
});
export const tertialPeriod = (y: number, t: number): Period => ({
  kind: "tertial",
  label: `${pad(y, 4)}-P${t}`,
  ...tertialRange(y, t),
});
export const yearPeriod = (y: number): Period => ({
  kind: "year",
  label: pad(y, 4),
  from: dayOf(y, 1, 1),
  to: dayOf(y, 12, 31),
});
export const dayPeriod = (day: Day): Period => ({ kind: "day", label: day, from: day, to: day });

type PeriodTexts = Messages["errors"]["period"];

/** A bad period: 400 naming the parameter, with a sentence from the catalogue a page shows in its language. */
export function invalidPeriod(field: string, value: string, why: string, reason: (t: PeriodTexts) => string): AppError {
  return new AppError("validation_failed", `Invalid ${field} "${value}": ${why}`, [{ field, message: why }], (lang) =>
    msg(lang).errors.badPeriod(value, reason(msg(lang).errors.period)),
  );
}

const yearInRange = (y: number) => y >= MIN_YEAR && y <= MAX_YEAR;
const OUT_OF_RANGE = [
  `years ${MIN_YEAR}–${MAX_YEAR} only`,
  (t: PeriodTexts) => t.yearRange(MIN_YEAR, MAX_YEAR),
] as const;

/** Parses a named period; `field` names the parameter in the error (period, week, …). */
export function parsePeriod(value: string, field = "period"): Period {
  const fail = (why: string, reason: (t: PeriodTexts) => string) => invalidPeriod(field, value, why, reason);
  const m = /^(\d{4})(?:-(?:([PT])(\d)|W(\d{2})|(\d{2})(?:-(\d{2}))?))?$/.exec(value);
  if (!m) throw fail("expected YYYY, YYYY-P1..P3, YYYY-Www, YYYY-MM or YYYY-MM-DD", (t) => t.format);
  const y = Number(m[1]);
  if (!yearInRange(y)) throw fail(...OUT_OF_RANGE);
  if (m[3] !== undefined) {
    const t = Number(m[3]);
    if (t < 1 || t > 3) throw fail("tertial must be P1–P3", (t) => t.tertial);
    return tertialPeriod(y, t);
  }
  if (m[4] !== undefined) {
    const w = Number(m[4]);
    const weeks = isoWeeksInYear(y);
    if (w < 1 || w > weeks) throw fail(`${y} has ISO weeks 01–${weeks}`, (t) => t.weeks(y, weeks));
    return weekPeriod(y, w);
  }
  if (m[5] !== undefined) {
    const mo = Number(m[5]);
    if (mo < 1 || mo > 12) throw fail("month must be 01–12", (t) => t.month);
    if (m[6] === undefined) return monthPeriod(y, mo);
    if (!isValidDay(value)) throw fail("no such date", (t) => t.noSuchDate);
    return dayPeriod(value);
  }
  return yearPeriod(y);
}

/** An arbitrary inclusive range of days (at most about ten years, to bound queries). */
export function rangePeriod(from: string, to: string): Period {
  for (const [field, d] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (!isValidDay(d)) throw invalidPeriod(field, d, "expected YYYY-MM-DD", (t) => t.dayFormat);
    if (!yearInRange(Number(d.slice(0, 4)))) throw invalidPeriod(field, d, ...OUT_OF_RANGE);
  }
  if (from > to) throw invalidPeriod("from", from, "must not be after to", (t) => t.fromAfterTo);
  if (daysBetween(from, to) > 3700) throw invalidPeriod("to", to, "at most ten years", (t) => t.tenYears);
  return { kind: "range", label: `${from}..${to}`, from, to };
}

/** Year, tertial/month/week number of a named period, read back from its canonical label. */
function partsOf(p: Period): { y: number; n: number } {
  const y = Number(p.label.slice(0, 4));
  switch (p.kind) {
    case "tertial":
      return { y, n: Number(p.label.slice(6)) };
    case "week":
      return { y, n: Number(p.label.slice(6)) };
    case "month":
      return { y, n: Number(p.label.slice(5, 7)) };
    default:
      return { y, n: 0 };
  }
}

/**
 * The period `steps` periods later (negative: earlier) of the same kind:
 * weeks across week-53 years, tertials and months across New Year; a range
 * moves by its own length. Years leave 2000–2100 only by an AppError.
 */
export function shiftPeriod(p: Period, steps: number): Period {
  const { y, n } = partsOf(p);
  let out: Period;
  switch (p.kind) {
    case "year":
      out = yearPeriod(y + steps);
      break;
    case "tertial": {
      const k = y * 3 + (n - 1) + steps;
      out = tertialPeriod(Math.floor(k / 3), (((k % 3) + 3) % 3) + 1);
      break;
    }
    case "month": {
      const k = y * 12 + (n - 1) + steps;
      out = monthPeriod(Math.floor(k / 12), (((k % 12) + 12) % 12) + 1);
      break;
    }
    case "week": {
      const w = isoWeekOf(addDays(p.from, 7 * steps));
      out = weekPeriod(w.weekYear, w.week);
      break;
    }
    case "day":
      out = dayPeriod(addDays(p.from, steps));
      break;
    case "range": {
      const len = daysBetween(p.from, p.to) + 1;
      return rangePeriod(addDays(p.from, len * steps), addDays(p.to, len * steps));
    }
  }
  if (!yearInRange(Number(out.from.slice(0, 4))) || !yearInRange(Number(out.to.slice(0, 4))))
    throw invalidPeriod("period", out.label, ...OUT_OF_RANGE);
  return out;
}

/** The canonical name of a period (P for tertials, two-digit weeks). */
export const formatPeriod = (p: Period): string => p.label;

export const previousPeriod = (p: Period): Period => shiftPeriod(p, -1);
export const nextPeriod = (p: Period): Period => shiftPeriod(p, 1);

/** The `count` periods ending with `p`, oldest first (a trend). */
export function periodsEndingWith(p: Period, count: number): Period[] {
  return Array.from({ length: count }, (_, i) => shiftPeriod(p, i - (count - 1)));
}

/**
 * The same period a year earlier: the same ISO week number of the previous
 * week-year (week 53 compares with week 52 when the earlier year has no week
 * 53, the week it overlaps most), the same tertial, month or year, the same
 * calendar day, or a range shifted by one calendar year.
 */
export function previousYear(p: Period): Period {
  const { y, n } = partsOf(p);
  switch (p.kind) {
    case "year":
      return yearPeriod(y - 1);
    case "tertial":
      return tertialPeriod(y - 1, n);
    case "month":
      return monthPeriod(y - 1, n);
    case "week":
      return weekPeriod(y - 1, Math.min(n, isoWeeksInYear(y - 1)));
    case "day":
      return dayPeriod(sameDayLastYear(p.from));
    case "range":
      return { ...rangePeriod(sameDayLastYear(p.from), sameDayLastYear(p.to)) };
  }
}

/** [start, end) instants of a period in a time zone (DST days are 23 or 25 hours). */
export function periodInstants(p: Pick<Period, "from" | "to">, timeZone: string): { start: Date; end: Date } {
  return dayRangeInstants(p.from, p.to, timeZone);
}

/** The period of a kind that contains an instant, in the organization's time zone. */
export function periodContaining(kind: NamedPeriodKind, instant: Date, timeZone: string): Period {
  const t = localTime(instant, timeZone);
  switch (kind) {
    case "day":
      return dayPeriod(t.day);
    case "week": {
      const w = isoWeekOf(t.day);
      return weekPeriod(w.weekYear, w.week);
    }
    case "month":
      return monthPeriod(t.year, t.month);
    case "tertial":
      return tertialPeriod(t.year, tertialOfMonth(t.month));
    case "year":
      return yearPeriod(t.year);
  }
}

/**
 * The week a weekly view leads with: on Mondays the week that just ended
 * (the one the group meeting discusses), on other days the current week.
 */
export function leadingWeek(instant: Date, timeZone: string): Period {
  const current = periodContaining("week", instant, timeZone);
  return localTime(instant, timeZone).weekday === 1 ? previousPeriod(current) : current;
}

export const PICKER_KINDS = ["week", "month", "tertial", "year"] as const;
export type PickerKind = (typeof PICKER_KINDS)[number];

/**
 * The period a plain GET picker names: a kind, a year and the week, month or
 * tertial number (ignored for a year). Built into a label and checked by
 * parsePeriod, so a picker can name nothing the API would refuse.
 */
export function periodFromPicker(kind: string, year: string, number: string | undefined): Period {
  const y = year.trim();
  const n = (number ?? "").trim();
  const two = n.padStart(2, "0");
  const label =
    kind === "week" ? `${y}-W${two}` : kind === "month" ? `${y}-${two}` : kind === "tertial" ? `${y}-P${n}` : y;
  if (!(PICKER_KINDS as readonly string[]).includes(kind))
    throw invalidPeriod("kind", kind, "expected week, month, tertial or year", (t) => t.kind);
  return parsePeriod(label, "period");
}
