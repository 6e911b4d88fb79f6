import { describe, expect, it } from "vitest";
import { fromSimple, nextCallingWindows, toSimple, callingHoursTextProblem } from "../src/intake/calling-hours-form.js";
import { parseCallingHours } from "../src/intake/calling-window.js";

describe("calling hours as weekday boxes and times", () => {
  it("writes the stored format the calling-window rules read, with runs of days as ranges", () => {
    expect(fromSimple({ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "20:00" })).toEqual({
      ok: true,
      callingHours: "mon-fri 08:00-20:00",
    });
    const gaps = fromSimple({ days: ["mon", "tue", "wed", "fri", "sun"], from: "09:30", to: "00:00" });
    expect(gaps).toEqual({ ok: true, callingHours: "mon-wed,fri,sun 09:30-24:00" });
    if (gaps.ok) expect(parseCallingHours(gaps.callingHours)[0].days).toEqual(new Set([1, 2, 3, 5, 0]));
    expect(fromSimple({ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "00:00" })).toEqual(
      { ok: true, callingHours: "always" },
    );
  });

  it("reads one window back into boxes, and gives up (null) on several windows", () => {
    expect(toSimple("mon-fri 08:00-20:00")).toEqual({
      days: ["mon", "tue", "wed", "thu", "fri"],
      from: "08:00",
      to: "20:00",
    });
    expect(toSimple("always")).toMatchObject({ from: "00:00", to: "24:00" });
    expect(toSimple("mon-fri 08:00-20:00, sat 10:00-14:00")).toBeNull();
  });

  it("refuses in Swedish, naming the field: no day, a bad time, an end before the start, unreadable text", () => {
    const r = fromSimple({ days: [], from: "8", to: "07:00" });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toEqual([
        { field: "callingDays", message: "Ringdagar: välj minst en dag." },
        { field: "callingFrom", message: "Ring från klockan: skriv en tid som 08:00." },
      ]);
    const late = fromSimple({ days: ["mon"], from: "18:00", to: "09:00" });
    expect(late.ok ? [] : late.problems.map((p) => p.message)).toEqual([
      "Ring till klockan: måste vara senare än från-tiden.",
    ]);
    expect(callingHoursTextProblem("weekdays 9-5")).toMatch(/^Tider som text: kan inte läsa "weekdays 9-5"/);
    expect(callingHoursTextProblem("mån-fre 08:00-17:00")).toBeNull();
  });

  it("previews the next windows, skipping a public holiday and the weekend", () => {
    // Thursday 2026-12-24 (julafton) 21:00 in Stockholm: 24th's window is over, 25th and 26th are holidays.
    const w = nextCallingWindows(
      new Date("2026-12-24T20:00:00Z"),
      { callingHours: "mon-fri 08:00-20:00", skipPublicHolidays: true, timeZone: "Europe/Stockholm" },
      3,
    );
    expect(w.map((x) => [x.start.toISOString(), x.end.toISOString()])).toEqual([
      ["2026-12-28T07:00:00.000Z", "2026-12-28T19:00:00.000Z"],
      ["2026-12-29T07:00:00.000Z", "2026-12-29T19:00:00.000Z"],
      ["2026-12-30T07:00:00.000Z", "2026-12-30T19:00:00.000Z"],
    ]);
  });
});
