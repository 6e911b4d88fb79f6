/**
 * Swedish public holidays (allmänna helgdagar) plus the eves that are de facto
 * days off in municipal contact centres (påskafton, midsommarafton, julafton,
 * nyårsafton). Computed, not listed, so the service never runs out of years.
 */

export interface Holiday {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  name: string;
}

/** Gregorian Easter Sunday (anonymous computus, Meeus/Jones/Butcher): [month 1–12, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utcDate = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** The first date from `from` (inclusive) that falls on `weekday` (0 = Sunday). */
function firstWeekdayFrom(from: Date, weekday: number): Date {
  return plusDays(from, (weekday - from.getUTCDay() + 7) % 7);
}

export function swedishHolidays(year: number): Holiday[] {
  const [em, ed] = easterSunday(year);
  const easter = utcDate(year, em, ed);
  const fixed = (m: number, d: number, name: string): Holiday => ({ date: iso(utcDate(year, m, d)), name });
  const rel = (n: number, name: string): Holiday => ({ date: iso(plusDays(easter, n)), name });
  const midsommarafton = firstWeekdayFrom(utcDate(year, 6, 19), 5);
  const allaHelgon = firstWeekdayFrom(utcDate(year, 10, 31), 6);
  return [
    fixed(1, 1, "nyårsdagen"),
    fixed(1, 6, "trettondedag jul"),
    rel(-2, "långfredagen"),
    rel(-1, "påskafton"),
    rel(0, "påskdagen"),
    rel(1, "annandag påsk"),
    fixed(5, 1, "första maj"),
    rel(39, "Kristi himmelsfärdsdag"),
    rel(49, "pingstdagen"),
    fixed(6, 6, "Sveriges nationaldag"),
    { date: iso(midsommarafton), name: "midsommarafton" },
    { date: iso(plusDays(midsommarafton, 1)), name: "midsommardagen" },
    { date: iso(allaHelgon), name: "alla helgons dag" },
    fixed(12, 24, "julafton"),
    fixed(12, 25, "juldagen"),
    fixed(12, 26, "annandag jul"),
    fixed(12, 31, "nyårsafton"),
  ];
}

const cache = new Map<number, Set<string>>();

/** True when the local calendar date (YYYY-MM-DD) is a Swedish holiday or de facto day off. */
export function isSwedishHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  let set = cache.get(year);
  if (!set) {
    set = new Set(swedishHolidays(year).map((h) => h.date));
    cache.set(year, set);
  }
  return set.has(date);
}
