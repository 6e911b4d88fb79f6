import { addDays, localDay, wallClockInstant, weekdayOf } from "../lib/calendar.js";
import { parseCallingHours, type CallingWindowSpec } from "./calling-window.js";
import { isSwedishHoliday } from "./holidays.js";

/**
 * Calling hours as people think of them (weekday boxes, from–to times) and
 * back to the stored text ("mon-fri 08:00-20:00", "always") that
 * calling-window.ts reads. Several windows ("mon-fri 08:00-20:00,sat
 * 10:00-14:00") cannot be shown as boxes; the page offers them as text.
 * Pure; messages are Swedish and name the field.
 */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const INDEX: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

export interface SimpleCallingHours {
  days: Weekday[];
  /** "HH:MM" */
  from: string;
  /** "HH:MM"; "24:00" is the end of the day. */
  to: string;
}

const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** The boxes for a stored value, or null when it has several windows (shown as text instead). */
export function toSimple(callingHours: string): SimpleCallingHours | null {
  let rules;
  try {
    rules = parseCallingHours(callingHours);
  } catch {
    return null;
  }
  if (rules.length !== 1) return null;
  const [r] = rules;
  return { days: WEEKDAYS.filter((d) => r.days.has(INDEX[d])), from: clock(r.startMinute), to: clock(r.endMinute) };
}

/** Runs of consecutive weekdays as ranges: mon,tue,wed,fri → "mon-wed,fri". */
function dayList(days: readonly Weekday[]): string {
  const on = WEEKDAYS.map((d) => days.includes(d));
  const parts: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!on[i]) continue;
    let j = i;
    while (j + 1 < 7 && on[j + 1]) j++;
    parts.push(j > i ? `${WEEKDAYS[i]}-${WEEKDAYS[j]}` : WEEKDAYS[i]);
    i = j;
  }
  return parts.join(",");
}

const CLOCK = /^([01]\d|2[0-4]):([0-5]\d)$/;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function fromSimple(input: {
  days: readonly string[];
  from: string;
  to: string;
}): { ok: true; callingHours: string } | { ok: false; problems: { field: string; message: string }[] } {
  const problems: { field: string; message: string }[] = [];
  const days = WEEKDAYS.filter((d) => input.days.includes(d));
  if (days.length === 0) problems.push({ field: "callingDays", message: "Ringdagar: välj minst en dag." });
  const from = input.from.trim();
  const to = input.to.trim() === "00:00" ? "24:00" : input.to.trim();
  if (!CLOCK.test(from) || minutes(from) >= 1440)
    problems.push({ field: "callingFrom", message: "Ring från klockan: skriv en tid som 08:00." });
  if (!CLOCK.test(to) || minutes(to) > 1440)
    problems.push({ field: "callingTo", message: "Ring till klockan: skriv en tid som 20:00." });
  else if (CLOCK.test(from) && minutes(to) <= minutes(from))
    problems.push({ field: "callingTo", message: "Ring till klockan: måste vara senare än från-tiden." });
  if (problems.length) return { ok: false, problems };
  if (days.length === 7 && from === "00:00" && to === "24:00") return { ok: true, callingHours: "always" };
  return { ok: true, callingHours: `${dayList(days)} ${from}-${to}` };
}

/** A Swedish sentence when stored-format text cannot be read, else null. */
export function callingHoursTextProblem(text: string): string | null {
  try {
    parseCallingHours(text);
    return null;
  } catch {
    return `Tider som text: kan inte läsa "${text.trim()}". Skriv t.ex. mon-fri 08:00-20:00, sat 10:00-14:00 (dagar: mon tue wed thu fri sat sun, eller mån tis ons tor fre lör sön), eller always.`;
  }
}

export interface CallingWindow {
  start: Date;
  end: Date;
}

/**
 * The next `count` calling windows from `from` (the current one first if open
 * now), with holidays skipped when the setting says so: the page's preview.
 */
export function nextCallingWindows(
  from: Date,
  spec: CallingWindowSpec,
  count: number,
  searchDays = 60,
): CallingWindow[] {
  const rules = parseCallingHours(spec.callingHours);
  const out: CallingWindow[] = [];
  const today = localDay(from, spec.timeZone);
  for (let offset = 0; offset < searchDays && out.length < count; offset++) {
    const day = addDays(today, offset);
    if (spec.skipPublicHolidays && isSwedishHoliday(day)) continue;
    const weekday = weekdayOf(day);
    const windows = rules
      .filter((r) => r.days.has(weekday))
      .map((r) => ({
        start: wallClockInstant(day, r.startMinute, spec.timeZone),
        end: wallClockInstant(day, r.endMinute, spec.timeZone),
      }))
      .filter((w) => w.end.getTime() > from.getTime())
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    for (const w of windows) if (out.length < count) out.push(w);
  }
  return out;
}
