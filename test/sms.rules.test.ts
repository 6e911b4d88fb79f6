import { describe, expect, it } from "vitest";
import {
  classifySmsError,
  isStopMessage,
  nextSmsTry,
  smsDueAt,
  statusRank,
  wantsSmsFallback,
} from "../src/sms/rules.js";
import { composeSmsText, smsEncoding } from "../src/sms/text.js";

const window = { callingHours: "mon-fri 08:00-20:00", skipPublicHolidays: true, timeZone: "Europe/Stockholm" };
// A link as long as the real ones: base URL plus a 92-character token.
const LINK = `https://nki.kommun.example.se/s/${"A".repeat(92)}`;

describe("when a survey gets its SMS", () => {
  it("after the last unanswered or busy attempt, a machine, or a hang-up before the first question only", () => {
    expect(wantsSmsFallback("no_answer", "no_answer")).toBe(true);
    expect(wantsSmsFallback("no_answer", "busy")).toBe(true);
    expect(wantsSmsFallback("no_answer", "hung_up_before_first_answer")).toBe(true);
    expect(wantsSmsFallback("machine", "answering_machine")).toBe(true);
    for (const state of ["completed", "partial", "failed", "opted_out", "expired", "canceled"] as const) {
      expect(wantsSmsFallback(state, undefined)).toBe(false);
    }
  });

  it("a minute after the call, moved into calling hours; never when off", () => {
    const at = new Date("2026-11-24T09:00:00Z");
    expect(smsDueAt({ enabled: true, state: "no_answer", outcome: "busy", at }, window)).toEqual(
      new Date("2026-11-24T09:01:00Z"),
    );
    expect(smsDueAt({ enabled: false, state: "no_answer", outcome: "busy", at }, window)).toBeNull();
    // Friday 19:59:30 → Monday 08:00.
    const friday = new Date("2026-11-27T18:59:30Z");
    expect(smsDueAt({ enabled: true, state: "machine", outcome: "fax", at: friday }, window)).toEqual(
      new Date("2026-11-30T07:00:00Z"),
    );
  });
});

describe("Twilio errors on messages.create", () => {
  it("sorts 21610, 21211, 429/5xx, other 4xx and network errors", () => {
    expect(classifySmsError({ status: 400, code: 21610, message: "unsubscribed" }).kind).toBe("carrier_opt_out");
    expect(classifySmsError({ status: 400, code: 21211, message: "invalid +46701234567" })).toMatchObject({
      kind: "invalid_number",
      message: expect.not.stringContaining("46701234567"),
    });
    expect(classifySmsError({ status: 503, code: 20503 }).kind).toBe("retry");
    expect(classifySmsError({ status: 429, code: 20429 }).kind).toBe("retry");
    expect(classifySmsError({ status: 401, code: 20003 }).kind).toBe("final");
    expect(classifySmsError({ code: "ECONNREFUSED" }).kind).toBe("retry");
    expect(classifySmsError({ code: "ECONNRESET" }).kind).toBe("uncertain");
    expect(classifySmsError({ code: "ETIMEDOUT" }).kind).toBe("uncertain");
  });

  it("retries are bounded and back off", () => {
    const now = new Date("2026-11-24T09:00:00Z");
    const first = nextSmsTry(1, now, 0)!.getTime() - now.getTime();
    const third = nextSmsTry(3, now, 0)!.getTime() - now.getTime();
    expect(first).toBe(5_000);
    expect(third).toBe(20_000);
    expect(nextSmsTry(5, now, 0.5)).toBeNull();
  });
});

describe("inbound words and statuses", () => {
  it("STOPP, STOP and AVSLUTA in any case and spacing; nothing else", () => {
    for (const w of ["STOPP", "stopp", " Stopp \n", "stop", "STOP!", "avsluta", "Avsluta."]) {
      expect(isStopMessage(w)).toBe(true);
    }
    for (const w of ["", "stoppa", "sluta", "STOPP nu", "hej", "nej stopp"]) expect(isStopMessage(w)).toBe(false);
  });

  it("ranks statuses so none moves back", () => {
    expect(statusRank("delivered")).toBeGreaterThan(statusRank("sent"));
    expect(statusRank("sent")).toBeGreaterThan(statusRank("queued"));
    expect(statusRank("undelivered")).toBe(statusRank("delivered"));
    expect(statusRank(null)).toBe(-1);
  });
});

describe("the SMS text", () => {
  it("counts GSM-7 (å ä ö included) and UCS-2 segments", () => {
    expect(smsEncoding("Hej på dig, Malmö!")).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(smsEncoding("a".repeat(160)).segments).toBe(1);
    expect(smsEncoding("a".repeat(161)).segments).toBe(2);
    expect(smsEncoding("€".repeat(80))).toMatchObject({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(smsEncoding("Hej 🙂")).toMatchObject({ encoding: "UCS-2", segments: 1 });
    expect(smsEncoding("ł".repeat(71)).segments).toBe(2);
  });

  it("Swedish: names the municipality, a minute, the link, STOPP; within two GSM-7 segments", () => {
    const text = composeSmsText({ organizationName: "Kundcenter Exempelkommun", link: LINK, language: "sv" });
    expect(text).toContain("Kundcenter Exempelkommun");
    expect(text).toContain("ungefär en minut");
    expect(text).toContain(LINK);
    expect(text).toContain("Svara STOPP för att inte få fler frågor");
    expect(smsEncoding(text)).toMatchObject({ encoding: "GSM-7", segments: 2 });
  });

  it("English for English-flow surveys", () => {
    const text = composeSmsText({ organizationName: "Exempelkommun", link: LINK, language: "en" });
    expect(text).toContain("about a minute");
    expect(text).toContain("Reply STOPP");
    expect(smsEncoding(text).segments).toBeLessThanOrEqual(2);
  });

  it("a name outside GSM-7 falls back to a shorter form; the link and STOPP are never dropped", () => {
    const text = composeSmsText({ organizationName: "Kommun Łódź", link: LINK, language: "sv" });
    expect(text).toContain(LINK);
    expect(text).toContain("STOPP");
    expect(smsEncoding(text).encoding).toBe("UCS-2");
  });
});
