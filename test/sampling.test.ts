import { describe, expect, it } from "vitest";
import { effectiveSettings, orgSettingsSchema } from "../src/organizations/settings.js";
import { classifyNumber } from "../src/intake/phone.js";
import { decideSurvey, sampleValue, talkSeconds, type SurveyFacts, type SurveyInput } from "../src/intake/sampling.js";

// Numbers from the ranges PTS reserves for fiction (070-174 06 05 … 99).
const MOBILE = "+46701740605";
const rules = { internalPrefixes: ["+46850"] };

describe("caller numbers", () => {
  it.each([
    ["070-174 06 05", MOBILE],
    ["0701740605", MOBILE],
    ["+46 70 174 06 05", MOBILE],
    ["0046701740605", MOBILE],
    ["46701740605", MOBILE],
    ["+46 (0)70-174 06 05", MOBILE],
    ["08-123 456 78", "+46812345678"],
  ])("normalises %s to E.164", (raw, e164) => {
    expect(classifyNumber(raw, rules)).toEqual({ e164, problem: null });
  });

  it.each([
    "",
    "   ",
    "anonymous",
    "Unknown",
    "PRIVATE",
    "restricted",
    "+266696687",
    "+7378742833",
    "0000",
    null,
    undefined,
  ])("treats %s as a hidden number", (raw) => {
    expect(classifyNumber(raw, rules).problem).toBe("hidden_number");
  });

  it.each(["12345", "070123", "not a number", "+46 70 174 06 05 ext 12", "0701740605999999"])(
    "rejects %s as invalid",
    (raw) => {
      expect(classifyNumber(raw, rules)).toEqual({ e164: null, problem: "invalid_number" });
    },
  );

  it.each(["0900-123 45 67", "+46939123456", "0944-123456"])("skips the premium-rate number %s", (raw) => {
    expect(classifyNumber(raw, rules).problem).toBe("premium_rate_number");
  });

  it("skips foreign numbers unless the organization surveys them", () => {
    expect(classifyNumber("+44 20 7946 0958", rules)).toEqual({ e164: "+442079460958", problem: "foreign_number" });
    expect(classifyNumber("+44 20 7946 0958", { ...rules, surveyForeignNumbers: true })).toEqual({
      e164: "+442079460958",
      problem: null,
    });
  });

  it("reads surveyForeignNumbers from the settings: off by default, on per organization or svarsgrupp", () => {
    const foreign = "+44 20 7946 0958";
    const off = effectiveSettings({});
    expect(off.surveyForeignNumbers).toBe(false);
    expect(classifyNumber(foreign, off).problem).toBe("foreign_number");
    expect(classifyNumber(foreign, effectiveSettings({ surveyForeignNumbers: true })).problem).toBeNull();
    const group = effectiveSettings({ surveyForeignNumbers: false }, { surveyForeignNumbers: true });
    expect(classifyNumber(foreign, group).problem).toBeNull();
    expect(() => orgSettingsSchema.parse({ surveyForeignNumbers: "yes" })).toThrow(/surveyForeignNumbers/);
  });

  it("skips the organization's own numbers by prefix", () => {
    expect(classifyNumber("08-500 123 45", rules)).toEqual({ e164: "+46850012345", problem: "internal_number" });
  });
});

describe("survey decision", () => {
  const settings = orgSettingsSchema.parse({});
  // Tuesday 2026-03-31 10:00 Stockholm (CEST): inside the default calling hours.
  const end = new Date("2026-03-31T08:00:00Z");
  const input: SurveyInput = {
    number: { e164: MOBILE, problem: null },
    startedAt: new Date(end.getTime() - 200_000),
    endedAt: end,
    queueSeconds: 40,
  };
  const facts: SurveyFacts = {
    now: new Date(end.getTime() + 5_000),
    timeZone: "Europe/Stockholm",
    optedOut: false,
    surveyedRecently: false,
    sampleValue: 0.5,
  };

  it("schedules the survey the configured delay after the call, expiring four hours after it", () => {
    expect(decideSurvey(input, settings, facts)).toEqual({
      decision: "scheduled",
      dueAt: new Date("2026-03-31T08:01:00Z"),
      expiresAt: new Date("2026-03-31T12:00:00Z"),
    });
  });

  it("schedules a late-reported call for now rather than in the past", () => {
    const now = new Date("2026-03-31T09:00:00Z");
    expect(decideSurvey(input, settings, { ...facts, now })).toMatchObject({ decision: "scheduled", dueAt: now });
  });

  it("moves a call ending at 19:59 on Thursday before Easter past the holidays, where it expires", () => {
    const endedAt = new Date("2026-04-02T17:59:30Z");
    const late = { ...input, startedAt: new Date(endedAt.getTime() - 120_000), endedAt };
    expect(decideSurvey(late, settings, { ...facts, now: endedAt })).toEqual({
      decision: "skipped",
      reason: "outside_calling_hours",
    });
    // With a long enough expiry it waits for Tuesday 08:00.
    expect(decideSurvey(late, { ...settings, expiryMinutes: 7 * 24 * 60 }, { ...facts, now: endedAt })).toMatchObject({
      decision: "scheduled",
      dueAt: new Date("2026-04-07T06:00:00Z"),
    });
  });

  it("moves an early-morning call into the window when it opens before expiry", () => {
    const endedAt = new Date("2026-03-31T05:30:00Z"); // 07:30 local
    const early = { ...input, startedAt: new Date(endedAt.getTime() - 120_000), endedAt };
    expect(decideSurvey(early, settings, { ...facts, now: endedAt })).toMatchObject({
      decision: "scheduled",
      dueAt: new Date("2026-03-31T06:00:00Z"),
    });
  });

  it.each([
    ["a number problem", { number: { e164: null, problem: "hidden_number" as const } }, {}, "hidden_number"],
    ["under 10 seconds of talk", { startedAt: new Date(end.getTime() - 45_000) }, {}, "short_call"],
    ["an opted-out number", {}, { optedOut: true }, "opted_out"],
    ["a survey within the repeat window", {}, { surveyedRecently: true }, "recently_surveyed"],
    ["a call reported after its survey would expire", {}, { now: new Date("2026-03-31T12:00:00Z") }, "call_too_old"],
    ["a call outside the sample", {}, { sampleValue: 0.5 }, "not_sampled"],
  ])("skips %s", (_name, inputPatch, factsPatch, reason) => {
    const s = reason === "not_sampled" ? { ...settings, sampleRate: 0.3 } : settings;
    expect(decideSurvey({ ...input, ...inputPatch }, s, { ...facts, ...factsPatch })).toEqual({
      decision: "skipped",
      reason,
    });
  });

  it("reports the number problem before anything else", () => {
    const hidden = { ...input, number: { e164: null, problem: "hidden_number" as const } };
    expect(decideSurvey(hidden, settings, { ...facts, optedOut: true, sampleValue: 0.99 })).toMatchObject({
      reason: "hidden_number",
    });
  });

  it("counts talk time without the queue", () => {
    expect(talkSeconds(input)).toBe(160);
  });

  it("samples the same call the same way every time, and about the configured share overall", () => {
    expect(sampleValue("org", "call-1")).toBe(sampleValue("org", "call-1"));
    expect(sampleValue("org", "call-1")).not.toBe(sampleValue("other-org", "call-1"));
    const values = Array.from({ length: 4000 }, (_, i) => sampleValue("org", `call-${i}`));
    const share = values.filter((v) => v < 0.25).length / values.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
