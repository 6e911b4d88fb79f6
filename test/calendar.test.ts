import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  dayRangeInstants,
  isoWeekMonday,
  isoWeekOf,
  isoWeeksInYear,
  isValidDay,
  lastDayOfMonth,
  localDay,
  localTime,
  offsetChanges,
  sameDayLastYear,
  tertialOfMonth,
  tertialRange,
  wallClockInstant,
  weekdayOf,
} from "../src/lib/calendar.js";

const TZ = "Europe/Stockholm";
const hours = (r: { start: Date; end: Date }) => (r.end.getTime() - r.start.getTime()) / 3_600_000;

describe("ISO weeks and week-years", () => {
  it.each([
    [2026, 53],
    [2020, 53],
    [2015, 53],
    [2025, 52],
    [2027, 52],
    [2021, 52],
  ])("%i has %i ISO weeks", (year, weeks) => {
    expect(isoWeeksInYear(year)).toBe(weeks);
  });

  it.each([
    ["2026-12-28", 2026, 53],
    ["2027-01-03", 2026, 53],
    ["2027-01-04", 2027, 1],
    ["2020-12-31", 2020, 53],
    ["2021-01-03", 2020, 53],
    ["2024-12-30", 2025, 1],
    ["2025-12-29", 2026, 1],
    ["2026-11-23", 2026, 48],
  ])("%s lies in week-year %i week %i", (day, weekYear, week) => {
    expect(isoWeekOf(day)).toEqual({ weekYear, week });
  });

  it("starts week 1 on the Monday of the week holding 4 January", () => {
    expect(isoWeekMonday(2026, 1)).toBe("2025-12-29");
    expect(isoWeekMonday(2026, 53)).toBe("2026-12-28");
    expect(isoWeekMonday(2021, 1)).toBe("2021-01-04");
    expect(isoWeekMonday(2025, 1)).toBe("2024-12-30");
  });

  it("every day's Monday is a Monday of the same week (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 101 }), (offset) => {
        const day = addDays("2000-01-01", offset);
        const w = isoWeekOf(day);
        const monday = isoWeekMonday(w.weekYear, w.week);
        expect(weekdayOf(monday)).toBe(1);
        expect(day >= monday && day <= addDays(monday, 6)).toBe(true);
        expect(w.week).toBeLessThanOrEqual(isoWeeksInYear(w.weekYear));
      }),
      { numRuns: 300 },
    );
  });
});

describe("days, months and tertials", () => {
  it("steps over month ends, leap days and New Year", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-02-28", 1)).toBe("2025-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(lastDayOfMonth(2024, 2)).toBe("2024-02-29");
    expect(lastDayOfMonth(2100, 2)).toBe("2100-02-28");
    expect(sameDayLastYear("2024-02-29")).toBe("2023-02-28");
  });

  it("knows valid days", () => {
    expect(isValidDay("2024-02-29")).toBe(true);
    expect(isValidDay("2025-02-29")).toBe(false);
    expect(isValidDay("2025-13-01")).toBe(false);
    expect(isValidDay("2025-1-01")).toBe(false);
  });

  it.each([
    [1, 1],
    [4, 1],
    [5, 2],
    [8, 2],
    [9, 3],
    [12, 3],
  ])("month %i is in tertial P%i", (month, tertial) => {
    expect(tertialOfMonth(month)).toBe(tertial);
  });

  it("tertials end on the last days of April, August and December", () => {
    expect(tertialRange(2024, 1)).toEqual({ from: "2024-01-01", to: "2024-04-30" });
    expect(tertialRange(2026, 2)).toEqual({ from: "2026-05-01", to: "2026-08-31" });
    expect(tertialRange(2026, 3)).toEqual({ from: "2026-09-01", to: "2026-12-31" });
  });
});

describe("daylight saving in Europe/Stockholm", () => {
  it("changes on the last Sundays of March and October at 01:00 UTC", () => {
    expect(offsetChanges(2026, TZ)).toEqual([
      { at: new Date("2026-03-29T01:00:00Z"), changeMinutes: 60 },
      { at: new Date("2026-10-25T01:00:00Z"), changeMinutes: -60 },
    ]);
    expect(offsetChanges(2025, TZ).map((c) => localDay(c.at, TZ))).toEqual(["2025-03-30", "2025-10-26"]);
    expect(offsetChanges(2026, "UTC")).toEqual([]);
  });

  it("makes the spring day 23 hours and the autumn day 25", () => {
    expect(hours(dayRangeInstants("2026-03-29", "2026-03-29", TZ))).toBe(23);
    expect(hours(dayRangeInstants("2026-10-25", "2026-10-25", TZ))).toBe(25);
    expect(hours(dayRangeInstants("2026-03-28", "2026-03-28", TZ))).toBe(24);
    expect(hours(dayRangeInstants("2026-03-23", "2026-03-29", TZ))).toBe(167);
  });

  it("puts local midnight at 23:00 UTC in winter and 22:00 UTC in summer", () => {
    expect(wallClockInstant("2026-01-15", 0, TZ).toISOString()).toBe("2026-01-14T23:00:00.000Z");
    expect(wallClockInstant("2026-07-15", 0, TZ).toISOString()).toBe("2026-07-14T22:00:00.000Z");
    expect(wallClockInstant("2026-07-15", 1440, TZ).toISOString()).toBe("2026-07-15T22:00:00.000Z");
  });

  it("moves a skipped spring time forward by the gap and takes a repeated autumn time the second time", () => {
    expect(wallClockInstant("2026-03-29", 150, TZ).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(wallClockInstant("2026-03-29", 180, TZ).toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(wallClockInstant("2026-10-25", 150, TZ).toISOString()).toBe("2026-10-25T01:30:00.000Z");
    expect(wallClockInstant("2026-10-25", 8 * 60, TZ).toISOString()).toBe("2026-10-25T07:00:00.000Z");
  });

  it("reads an instant's local day and clock across the change and New Year", () => {
    expect(localTime(new Date("2026-03-29T00:59:00Z"), TZ)).toMatchObject({ day: "2026-03-29", minute: 119 });
    expect(localTime(new Date("2026-03-29T01:00:00Z"), TZ)).toMatchObject({ minute: 180, weekday: 0 });
    expect(localDay(new Date("2026-12-31T23:30:00Z"), TZ)).toBe("2027-01-01");
    expect(localDay(new Date("2026-12-31T23:30:00Z"), "UTC")).toBe("2026-12-31");
  });
});
