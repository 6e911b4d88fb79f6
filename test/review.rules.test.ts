import { describe, expect, it } from "vitest";
import { parseRange } from "../src/review/range.js";
import {
  addWeeks,
  compareQueueOrder,
  formatIsoWeek,
  isReviewed,
  needsRegistration,
  parseIsoWeek,
  weekOf,
  weekRange,
} from "../src/review/rules.js";

const TZ = "Europe/Stockholm";

describe("ISO weeks in the organization's time zone", () => {
  it("runs Monday 00:00 to Monday 00:00 Stockholm time in winter (UTC+1)", () => {
    const r = weekRange(parseIsoWeek("2025-W10")!, TZ);
    expect(r.start.toISOString()).toBe("2025-03-02T23:00:00.000Z");
    expect(r.end.toISOString()).toBe("2025-03-09T23:00:00.000Z");
  });

  it("is 167 hours long in the week clocks go forward (2025-W13)", () => {
    const r = weekRange(parseIsoWeek("2025-W13")!, TZ);
    expect(r.start.toISOString()).toBe("2025-03-23T23:00:00.000Z");
    expect(r.end.toISOString()).toBe("2025-03-30T22:00:00.000Z");
    expect((r.end.getTime() - r.start.getTime()) / 3_600_000).toBe(167);
  });

  it("is 169 hours long in the week clocks go back (2025-W43)", () => {
    const r = weekRange(parseIsoWeek("2025-W43")!, TZ);
    expect(r.start.toISOString()).toBe("2025-10-19T22:00:00.000Z");
    expect(r.end.toISOString()).toBe("2025-10-26T23:00:00.000Z");
  });

  it("places an instant in the week of its local date, not its UTC date", () => {
    // Sunday 23:30 UTC is already Monday 01:30 in Stockholm (summer).
    expect(formatIsoWeek(weekOf(new Date("2025-04-06T23:30:00Z"), TZ))).toBe("2025-W15");
    expect(formatIsoWeek(weekOf(new Date("2025-04-06T21:59:59Z"), TZ))).toBe("2025-W14");
  });

  it("handles year boundaries: 30 Dec 2024 is 2025-W01, 3 Jan 2021 is 2020-W53", () => {
    expect(formatIsoWeek(weekOf(new Date("2024-12-30T12:00:00Z"), TZ))).toBe("2025-W01");
    expect(formatIsoWeek(weekOf(new Date("2021-01-03T12:00:00Z"), TZ))).toBe("2020-W53");
    expect(formatIsoWeek(addWeeks(parseIsoWeek("2020-W53")!, 1))).toBe("2021-W01");
    expect(formatIsoWeek(addWeeks(parseIsoWeek("2025-W01")!, -1))).toBe("2024-W52");
  });

  it("rejects malformed weeks and weeks a year does not have", () => {
    expect(parseIsoWeek("2025-14")).toBeNull();
    expect(parseIsoWeek("2025-W00")).toBeNull();
    expect(parseIsoWeek("2025-W53")).toBeNull();
    expect(parseIsoWeek("2026-W53")).toEqual({ year: 2026, week: 53 });
  });
});

describe("what counts as reviewed", () => {
  it("needs registration with a case reference only for synpunkter", () => {
    expect(needsRegistration("klagomal")).toBe(true);
    expect(needsRegistration("berom")).toBe(true);
    expect(needsRegistration("forslag")).toBe(true);
    expect(needsRegistration("fraga")).toBe(false);
    expect(needsRegistration("inget")).toBe(false);
  });

  it("is reviewed when classified, and registered when a synpunkt", () => {
    expect(isReviewed({ classification: null, registeredAt: null })).toBe(false);
    expect(isReviewed({ classification: "inget", registeredAt: null })).toBe(true);
    expect(isReviewed({ classification: "klagomal", registeredAt: null })).toBe(false);
    expect(isReviewed({ classification: "klagomal", registeredAt: new Date() })).toBe(true);
  });

  it("orders unreviewed before reviewed, each oldest first", () => {
    const items = [
      { id: "a", reviewed: true, recordedAt: new Date("2025-04-01") },
      { id: "b", reviewed: false, recordedAt: new Date("2025-04-03") },
      { id: "c", reviewed: false, recordedAt: new Date("2025-03-20") },
      { id: "d", reviewed: true, recordedAt: new Date("2025-03-31") },
    ];
    expect(items.sort(compareQueueOrder).map((i) => i.id)).toEqual(["c", "b", "d", "a"]);
  });
});

describe("HTTP Range for audio", () => {
  it("reads explicit, open-ended and suffix ranges, clamping the end to the size", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ kind: "partial", start: 0, end: 99 });
    expect(parseRange("bytes=500-", 1000)).toEqual({ kind: "partial", start: 500, end: 999 });
    expect(parseRange("bytes=-100", 1000)).toEqual({ kind: "partial", start: 900, end: 999 });
    expect(parseRange("bytes=900-5000", 1000)).toEqual({ kind: "partial", start: 900, end: 999 });
  });

  it("is unsatisfiable past the end, backwards, or malformed", () => {
    expect(parseRange("bytes=1000-", 1000)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=50-10", 1000)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=abc", 1000)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", 1000)).toEqual({ kind: "unsatisfiable" });
  });

  it("serves everything without Range, for other units and for several ranges", () => {
    expect(parseRange(undefined, 1000)).toEqual({ kind: "full" });
    expect(parseRange("items=0-1", 1000)).toEqual({ kind: "full" });
    expect(parseRange("bytes=0-1,5-6", 1000)).toEqual({ kind: "full" });
  });
});
