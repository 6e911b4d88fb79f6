import { describe, expect, it } from "vitest";
import { auditDetailText } from "../src/audit/event-names.js";
import { msg, reasonName } from "../src/i18n/index.js";
import { SKIP_REASONS } from "../src/intake/sampling.js";
import type { FunnelRow } from "../src/results/funnel.js";
import { funnelHtml } from "../src/web/overview-extras.js";

// Issue 11: skip reasons (and sign-in refusals) are shown in words, never as codes like `opted_out: 40`.
const row = (skipReasons: Record<string, number>): FunnelRow => ({
  completedCalls: 1200,
  eligible: 1000,
  sampled: 900,
  dialled: 800,
  reachedPerson: 500,
  completed: 300,
  partial: 20,
  voiceMessages: 40,
  smsSent: 10,
  linkOpened: 5,
  answeredOnWeb: 3,
  completedOnWeb: 2,
  responseRate: 0.4,
  responseRateOfSampled: 0.36,
  responseRateAllChannels: 0.41,
  skipReasons,
  surveyStates: {},
});

describe("skip reasons in words", () => {
  it("every intake skip reason has a Swedish and an English name", () => {
    for (const code of SKIP_REASONS) {
      expect(msg("sv").terms.reasons[code], code).toBeTruthy();
      expect(msg("en").terms.reasons[code], code).toBeTruthy();
      expect(reasonName(code, "sv")).not.toContain("_");
    }
  });

  it("the overview's funnel lists them in words with Swedish counts", () => {
    const sv = String(funnelHtml(row({ opted_out: 40, short_call: 1234, hidden_number: 3, call_too_old: 2 }), "sv"));
    expect(sv).toContain("för kort samtal: 1\u202f234");
    expect(sv).toContain("har avböjt enkäter: 40");
    expect(sv).toContain("dolt nummer: 3");
    expect(sv).toContain("samtalet är för gammalt: 2");
    for (const code of ["opted_out", "short_call", "hidden_number", "call_too_old"]) expect(sv).not.toContain(code);
    const en = String(funnelHtml(row({ opted_out: 40 }), "en"));
    expect(en).toContain("opted out of surveys: 40");
    expect(en).not.toContain("opted_out");
  });

  it("the audit log's details name the reason in words", () => {
    expect(auditDetailText({ reason: "bad_credentials" }, "sv")).toBe("Orsak: fel e-postadress eller lösenord");
    expect(auditDetailText({ reason: "throttled", retryAfterSeconds: 60 }, "en")).toContain(
      "Reason: too many attempts",
    );
    expect(auditDetailText({ reason: "something_new" }, "sv")).toBe("Orsak: something_new");
  });
});
