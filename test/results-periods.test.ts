import { describe, expect, it } from "vitest";
import {
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
  ])("%s covers %s to %s", (label, from, to) => {
    expect(parsePeriod(label)).toMatchObject({ label, from, to });
  });

  it.each(["2025-W53", "2025-W00", "2025-13", "2025-02-29", "2025-P4", "25-03", "2025-3"])("rejects %s", (v) => {
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
