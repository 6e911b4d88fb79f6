import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError, userMessageIn } from "../src/lib/errors.js";
import {
  addDays,
  formatPeriod,
  isoWeeksInYear,
  leadingWeek,
  nextPeriod,
  periodFromPicker,
  periodsEndingWith,
  previousPeriod,
  isoWeekOf,
  localDayStart,
  parsePeriod,
  periodContaining,
  periodInstants,
  previousYear,
  rangePeriod,
} from "../src/results/periods.js";

const TZ = "Europe/Stockholm";

describe("named periods", () => {
  it.each([
    ["2025", "2025-01-01", "2025-12-31"],
    ["2018-P1", "2018-01-01", "2018-04-30"],
    ["2018-P2", "2018-05-01", "2018-08-31"],
    ["2018-P3", "2018-09-01", "2018-12-31"],
    ["2024-02", "2024-02-01", "2024-02-29"],
    ["2025-W14", "2025-03-31", "2025-04-06"],
    ["2025-W01", "2024-12-30", "2025-01-05"],
    ["2020-W53", "2020-12-28", "2021-01-03"],
    ["2026-W53", "2026-12-28", "2027-01-03"],
    ["2025-03-14", "2025-03-14", "2025-03-14"],
    ["2000", "2000-01-01", "2000-12-31"],
    ["2100-P3", "2100-09-01", "2100-12-31"],
  ])("%s covers %s to %s", (label, from, to) => {
    expect(parsePeriod(label)).toMatchObject({ label, from, to });
  });

  it("reads a tertial written with T as the same P period", () => {
    expect(parsePeriod("2026-T3")).toEqual(parsePeriod("2026-P3"));
    expect(formatPeriod(parsePeriod("2026-T3"))).toBe("2026-P3");
  });

  it("names the parameter in the error and gives a sentence for pages in Swedish and English", () => {
    const err = (() => {
      try {
        parsePeriod("2026-W54", "week");
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err!.status).toBe(400);
    expect(err!.details).toEqual([{ field: "week", message: "2026 has ISO weeks 01–53" }]);
    expect(userMessageIn(err!, "sv")).toBe('Perioden "2026-W54" går inte att visa: 2026 har veckorna 1–53.');
    expect(userMessageIn(err!, "en")).toBe('The period "2026-W54" cannot be shown: 2026 has weeks 1–53.');
    expect(() => rangePeriod("0001-01-01", "2025-01-01")).toThrow(/from/);
  });

  it.each([
    "2025-W53",
    "2025-W00",
    "2026-W54",
    "2025-13",
    "2025-02-29",
    "2025-P4",
    "2025-P0",
    "2025-T4",
    "25-03",
    "2025-3",
    "0000",
    "0001-W01",
    "9999-P1",
    "1999-12",
    "2101",
    " 2025",
  ])("rejects %s", (v) => {
    expect(() => parsePeriod(v)).toThrow(/Invalid period/);
  });

  it("puts days around New Year in the right ISO week-year", () => {
    expect(isoWeekOf("2024-12-30")).toEqual({ weekYear: 2025, week: 1 });
    expect(isoWeekOf("2021-01-03")).toEqual({ weekYear: 2020, week: 53 });
    expect(isoWeekOf("2027-01-01")).toEqual({ weekYear: 2026, week: 53 });
  });
});

describe("the same period a year earlier", () => {
  it.each([
    ["2025-W14", "2024-W14"],
    ["2026-W53", "2025-W52"],
    ["2021-W52", "2020-W52"],
    ["2026-W01", "2025-W01"],
    ["2026-T3", "2025-P3"],
    ["2018-P2", "2017-P2"],
    ["2025-03", "2024-03"],
    ["2025", "2024"],
    ["2024-02-29", "2023-02-28"],
  ])("%s → %s", (label, expected) => {
    const p = previousYear(parsePeriod(label));
    expect(p.label).toBe(expected);
  });

  it("shifts a date range by one calendar year", () => {
    expect(previousYear(rangePeriod("2025-01-10", "2025-02-20"))).toMatchObject({
      from: "2024-01-10",
      to: "2024-02-20",
    });
  });
});

describe("previous and next", () => {
  it.each([
    ["2026-W53", "2026-W52", "2027-W01"],
    ["2027-W01", "2026-W53", "2027-W02"],
    ["2026-W01", "2025-W52", "2026-W02"],
    ["2021-W01", "2020-W53", "2021-W02"],
    ["2026-P1", "2025-P3", "2026-P2"],
    ["2026-P3", "2026-P2", "2027-P1"],
    ["2026-01", "2025-12", "2026-02"],
    ["2026-12", "2026-11", "2027-01"],
    ["2026", "2025", "2027"],
    ["2026-01-01", "2025-12-31", "2026-01-02"],
    ["2024-02-29", "2024-02-28", "2024-03-01"],
  ])("%s: previous %s, next %s", (label, prev, next) => {
    const p = parsePeriod(label);
    expect(previousPeriod(p).label).toBe(prev);
    expect(nextPeriod(p).label).toBe(next);
  });

  it("moves a range by its own length", () => {
    expect(nextPeriod(rangePeriod("2026-01-01", "2026-01-10"))).toMatchObject({ from: "2026-01-11", to: "2026-01-20" });
  });

  it("refuses to leave 2000–2100", () => {
    expect(() => previousPeriod(parsePeriod("2000-W01"))).toThrow(/years 2000–2100/);
    expect(() => nextPeriod(parsePeriod("2100-P3"))).toThrow(/years 2000–2100/);
  });

  it("lists a trend's periods oldest first, contiguous across week 53", () => {
    expect(periodsEndingWith(parsePeriod("2027-W02"), 4).map((p) => p.label)).toEqual([
      "2026-W52",
      "2026-W53",
      "2027-W01",
      "2027-W02",
    ]);
    expect(periodsEndingWith(parsePeriod("2026-P1"), 3).map((p) => p.label)).toEqual(["2025-P2", "2025-P3", "2026-P1"]);
  });

  it("next of previous is the period itself, for any week, month and tertial (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2001, max: 2099 }),
        fc.integer({ min: 1, max: 53 }),
        fc.constantFrom("W", "M", "P"),
        (y, n, kind) => {
          const label =
            kind === "W"
              ? `${y}-W${String(Math.min(n, isoWeeksInYear(y))).padStart(2, "0")}`
              : kind === "M"
                ? `${y}-${String((n % 12) + 1).padStart(2, "0")}`
                : `${y}-P${(n % 3) + 1}`;
          const p = parsePeriod(label);
          expect(nextPeriod(previousPeriod(p))).toEqual(p);
          expect(addDays(previousPeriod(p).to, 1)).toBe(p.from);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("on Mondays leads with the week that just ended, otherwise with the current week", () => {
    // Monday 30 November 2026, 08:00 in Stockholm.
    expect(leadingWeek(new Date("2026-11-30T07:00:00Z"), TZ).label).toBe("2026-W48");
    // Sunday 29 November 2026, 23:30 UTC is already Monday in Stockholm.
    expect(leadingWeek(new Date("2026-11-29T23:30:00Z"), TZ).label).toBe("2026-W48");
    expect(leadingWeek(new Date("2026-12-01T07:00:00Z"), TZ).label).toBe("2026-W49");
    // Monday 4 January 2027: the week that ended is 2026-W53.
    expect(leadingWeek(new Date("2027-01-04T09:00:00Z"), TZ).label).toBe("2026-W53");
  });
});

describe("the period picker's plain form", () => {
  it("builds the period from kind, year and number, and checks it like any other", () => {
    expect(periodFromPicker("week", "2026", "48").label).toBe("2026-W48");
    expect(periodFromPicker("week", "2026", "3").label).toBe("2026-W03");
    expect(periodFromPicker("month", "2026", "11").label).toBe("2026-11");
    expect(periodFromPicker("tertial", "2026", "3").label).toBe("2026-P3");
    expect(periodFromPicker("year", "2026", "").label).toBe("2026");
    expect(() => periodFromPicker("week", "2025", "53")).toThrow(/2025 has ISO weeks 01–52/);
    expect(() => periodFromPicker("decade", "2020", "1")).toThrow(/Invalid kind/);
    expect(() => periodFromPicker("year", "1", "")).toThrow(/Invalid period/);
  });
});

describe("time zone instants", () => {
  it("a local day is 23 hours on the spring DST change and 25 on the autumn one", () => {
    const spring = periodInstants(parsePeriod("2025-03-30"), TZ);
    expect(spring.start.toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(spring.end.toISOString()).toBe("2025-03-30T22:00:00.000Z");
    const autumn = periodInstants(parsePeriod("2025-10-26"), TZ);
    expect(autumn.start.toISOString()).toBe("2025-10-25T22:00:00.000Z");
    expect(autumn.end.toISOString()).toBe("2025-10-26T23:00:00.000Z");
  });

  it("finds the current period of an instant in the organization's zone", () => {
    // 23:30 UTC on 31 Dec 2024 is already 1 January 2025 in Stockholm.
    const i = new Date("2024-12-31T23:30:00Z");
    expect(periodContaining("day", i, TZ).label).toBe("2025-01-01");
    expect(periodContaining("week", i, TZ).label).toBe("2025-W01");
    expect(periodContaining("tertial", i, TZ).label).toBe("2025-P1");
    expect(localDayStart("2025-01-01", "UTC").toISOString()).toBe("2025-01-01T00:00:00.000Z");
  });

  it("rejects reversed ranges", () => {
    expect(() => rangePeriod("2025-02-01", "2025-01-01")).toThrow(/after/);
  });
});
