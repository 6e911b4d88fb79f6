import { describe, expect, it } from "vitest";
import {
  callingHoursProblem,
  isWithinCallingHours,
  nextCallingTime,
  type CallingWindowSpec,
} from "../src/intake/calling-window.js";
import { easterSunday, swedishHolidays } from "../src/intake/holidays.js";

const weekdays: CallingWindowSpec = {
  callingHours: "mon-fri 08:00-20:00",
  skipPublicHolidays: true,
  timeZone: "Europe/Stockholm",
};
const at = (iso: string) => new Date(iso);

describe("Swedish public holidays", () => {
  it("computes Easter Sunday for known years", () => {
    expect(easterSunday(2019)).toEqual([4, 21]);
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2025)).toEqual([4, 20]);
    expect(easterSunday(2026)).toEqual([4, 5]);
    expect(easterSunday(2027)).toEqual([3, 28]);
  });

  it("lists the 2026 holidays on their dates", () => {
    const byName = Object.fromEntries(swedishHolidays(2026).map((h) => [h.name, h.date]));
    expect(byName).toMatchObject({
      långfredagen: "2026-04-03",
      "annandag påsk": "2026-04-06",
      "Kristi himmelsfärdsdag": "2026-05-14",
      "Sveriges nationaldag": "2026-06-06",
      midsommarafton: "2026-06-19",
      midsommardagen: "2026-06-20",
      "alla helgons dag": "2026-10-31",
      julafton: "2026-12-24",
      nyårsafton: "2026-12-31",
    });
  });
});

describe("calling hours", () => {
  it("opens at 08:00 local time on a weekday, in winter and in summer time", () => {
    // 2026-03-27 is a Friday in CET (UTC+1); 2026-03-30 a Monday in CEST (UTC+2).
    expect(isWithinCallingHours(at("2026-03-27T06:59:00Z"), weekdays)).toBe(false);
    expect(isWithinCallingHours(at("2026-03-27T07:00:00Z"), weekdays)).toBe(true);
    expect(isWithinCallingHours(at("2026-03-30T05:59:00Z"), weekdays)).toBe(false);
    expect(isWithinCallingHours(at("2026-03-30T06:00:00Z"), weekdays)).toBe(true);
    expect(isWithinCallingHours(at("2026-03-30T17:59:00Z"), weekdays)).toBe(true);
    expect(isWithinCallingHours(at("2026-03-30T18:00:00Z"), weekdays)).toBe(false);
  });

  it("keeps a time inside the window as it is", () => {
    expect(nextCallingTime(at("2026-03-30T09:15:00Z"), weekdays)).toEqual(at("2026-03-30T09:15:00Z"));
  });

  it("moves a Friday evening across the spring DST change to Monday 08:00 summer time", () => {
    expect(nextCallingTime(at("2026-03-27T19:30:00Z"), weekdays)).toEqual(at("2026-03-30T06:00:00Z"));
  });

  it("moves a Friday evening across the autumn DST change to Monday 08:00 winter time", () => {
    expect(nextCallingTime(at("2026-10-23T18:30:00Z"), weekdays)).toEqual(at("2026-10-26T07:00:00Z"));
  });

  it("skips Easter from långfredagen to annandag påsk", () => {
    expect(isWithinCallingHours(at("2026-04-03T08:00:00Z"), weekdays)).toBe(false);
    expect(nextCallingTime(at("2026-04-02T19:00:00Z"), weekdays)).toEqual(at("2026-04-07T06:00:00Z"));
  });

  it("skips midsommarafton, a Friday", () => {
    expect(isWithinCallingHours(at("2026-06-19T08:00:00Z"), weekdays)).toBe(false);
    expect(nextCallingTime(at("2026-06-19T08:00:00Z"), weekdays)).toEqual(at("2026-06-22T06:00:00Z"));
  });

  it("calls on holidays when the organization does not skip them", () => {
    expect(isWithinCallingHours(at("2026-04-03T08:00:00Z"), { ...weekdays, skipPublicHolidays: false })).toBe(true);
  });

  it("moves into an earlier-closing Saturday window when several rules are given", () => {
    const spec = { ...weekdays, callingHours: "mon-fri 08:00-20:00,sat 10:00-14:00" };
    expect(nextCallingTime(at("2026-03-27T20:00:00Z"), spec)).toEqual(at("2026-03-28T09:00:00Z"));
    expect(isWithinCallingHours(at("2026-03-28T13:30:00Z"), spec)).toBe(false);
  });

  it("reads day lists sharing one window", () => {
    const spec = { ...weekdays, callingHours: "mon,wed-fri 09:00-17:00" };
    expect(isWithinCallingHours(at("2026-03-31T10:00:00Z"), spec)).toBe(false); // Tuesday
    expect(isWithinCallingHours(at("2026-04-01T10:00:00Z"), spec)).toBe(true); // Wednesday
  });

  it("with 'always', still rests over Christmas when holidays are skipped", () => {
    const spec = { ...weekdays, callingHours: "always" };
    expect(isWithinCallingHours(at("2026-12-23T22:59:00Z"), spec)).toBe(true);
    expect(isWithinCallingHours(at("2026-12-24T12:00:00Z"), spec)).toBe(false);
    expect(nextCallingTime(at("2026-12-24T12:00:00Z"), spec)).toEqual(at("2026-12-26T23:00:00Z"));
    expect(isWithinCallingHours(at("2026-12-24T12:00:00Z"), { ...spec, skipPublicHolidays: false })).toBe(true);
  });

  it("uses the organization's own time zone", () => {
    const spec = { ...weekdays, timeZone: "America/New_York", skipPublicHolidays: false };
    expect(isWithinCallingHours(at("2026-03-30T11:59:00Z"), spec)).toBe(false);
    expect(isWithinCallingHours(at("2026-03-30T12:00:00Z"), spec)).toBe(true);
  });

  it("names what is wrong with unreadable calling hours", () => {
    expect(callingHoursProblem("mon-fri 08:00-20:00")).toBeNull();
    expect(callingHoursProblem("mon-fri 20:00-08:00")).toMatch(/ends before it starts/);
    expect(callingHoursProblem("funday 08:00-10:00")).toMatch(/unknown day/);
    expect(callingHoursProblem("mon-fri")).toMatch(/days without a time/);
    expect(callingHoursProblem("mon-fri 8-20")).toMatch(/cannot read/);
  });
});
