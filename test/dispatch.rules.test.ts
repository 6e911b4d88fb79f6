import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  classifyDialError,
  decideRetry,
  DIAL_BACKOFF,
  maxCallLifetimeMs,
  outcomeForCallStatus,
  shouldHangUpOnMachine,
} from "../src/dispatch/rules.js";
import {
  downloadRetryDelayMs,
  FAST_DOWNLOAD_RETRIES,
  isEmptyRecording,
  recordingMediaUrl,
} from "../src/recordings/rules.js";

const weekdays = { callingHours: "mon-fri 08:00-20:00", skipPublicHolidays: true, timeZone: "Europe/Stockholm" };
const always = { callingHours: "always", skipPublicHolidays: false, timeZone: "Europe/Stockholm" };
const policy = { maxRetries: 1, retryDelayMinutes: 15 };

describe("retry after no answer or busy", () => {
  // Tuesday 2026-11-24 10:00 Stockholm (UTC+1).
  const now = new Date("2026-11-24T09:00:00Z");
  const expiresAt = new Date("2026-11-24T13:00:00Z");

  it("retries the first attempt 15 minutes later", () => {
    expect(decideRetry({ attempts: 1, now, expiresAt }, policy, weekdays)).toEqual({
      kind: "retry",
      at: new Date("2026-11-24T09:15:00Z"),
    });
  });

  it("gives up after the last allowed retry", () => {
    expect(decideRetry({ attempts: 2, now, expiresAt }, policy, weekdays)).toEqual({
      kind: "final",
      reason: "retries_exhausted",
    });
  });

  it("with no retries configured, the first no-answer is final", () => {
    expect(decideRetry({ attempts: 1, now, expiresAt }, { ...policy, maxRetries: 0 }, weekdays).kind).toBe("final");
  });

  it("moves a retry that would fall after calling hours to the next morning, if the survey lives that long", () => {
    const evening = new Date("2026-11-24T18:50:00Z"); // 19:50 local; +15 min is 20:05
    expect(
      decideRetry({ attempts: 1, now: evening, expiresAt: new Date("2026-11-26T00:00:00Z") }, policy, weekdays),
    ).toEqual({
      kind: "retry",
      at: new Date("2026-11-25T07:00:00Z"), // 08:00 local
    });
  });

  it("does not retry when the retry could only start after the survey expires", () => {
    const evening = new Date("2026-11-24T18:50:00Z");
    expect(
      decideRetry({ attempts: 1, now: evening, expiresAt: new Date("2026-11-24T22:50:00Z") }, policy, weekdays),
    ).toEqual({
      kind: "final",
      reason: "would_expire",
    });
    expect(decideRetry({ attempts: 1, now, expiresAt: new Date("2026-11-24T09:10:00Z") }, policy, always).kind).toBe(
      "final",
    );
  });
});

describe("backoff for Twilio 429/5xx", () => {
  it("grows exponentially, stays within [step/2, step] and is capped", () => {
    expect(backoffDelayMs(1, DIAL_BACKOFF, 0)).toBe(2_500);
    expect(backoffDelayMs(1, DIAL_BACKOFF, 0.999999)).toBe(5_000);
    expect(backoffDelayMs(3, DIAL_BACKOFF, 0)).toBe(10_000);
    expect(backoffDelayMs(50, DIAL_BACKOFF, 1)).toBe(DIAL_BACKOFF.maxMs);
    expect(backoffDelayMs(50, DIAL_BACKOFF, 0)).toBe(DIAL_BACKOFF.maxMs / 2);
  });
});

describe("how long a call may be dialling or in progress", () => {
  it("covers ring time with Twilio's buffer, the time limit and a margin", () => {
    expect(maxCallLifetimeMs(25, 600)).toBe((25 + 5 + 600 + 120) * 1000);
    expect(maxCallLifetimeMs(25, 600)).toBeGreaterThan(600_000);
  });
});

describe("Twilio call status → survey outcome", () => {
  it("no-answer and busy while dialling are retryable", () => {
    expect(outcomeForCallStatus("no-answer", "dialling", 0)).toEqual({ kind: "retryable", outcome: "no_answer" });
    expect(outcomeForCallStatus("busy", "dialling", 0)).toEqual({ kind: "retryable", outcome: "busy" });
  });
  it("failed and canceled are failures", () => {
    expect(outcomeForCallStatus("failed", "dialling", 0)).toMatchObject({ kind: "final", state: "failed" });
    expect(outcomeForCallStatus("canceled", "in_progress", 0)).toMatchObject({ kind: "final", state: "failed" });
  });
  it("completed mid-flow is partial with answers, hung up before the first answer without", () => {
    expect(outcomeForCallStatus("completed", "in_progress", 3)).toEqual({
      kind: "final",
      state: "partial",
      outcome: "hung_up",
    });
    expect(outcomeForCallStatus("completed", "in_progress", 0)).toEqual({
      kind: "final",
      state: "no_answer",
      outcome: "hung_up_before_first_answer",
    });
  });
  it("a final survey stays as it is, whatever arrives late", () => {
    for (const status of ["completed", "no-answer", "busy", "failed", "in-progress"]) {
      expect(outcomeForCallStatus(status, "completed", 7)).toEqual({ kind: "ignore" });
      expect(outcomeForCallStatus(status, "machine", 0)).toEqual({ kind: "ignore" });
    }
  });
  it("non-final statuses never move the survey", () => {
    for (const status of ["queued", "initiated", "ringing", "in-progress"])
      expect(outcomeForCallStatus(status, "dialling", 0)).toEqual({ kind: "ignore" });
  });
});

describe("answering machines", () => {
  it("hangs up on machine verdicts and fax, not on human or unknown", () => {
    for (const v of ["machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"])
      expect(shouldHangUpOnMachine(v, null)).toBe(true);
    expect(shouldHangUpOnMachine("human", null)).toBe(false);
    expect(shouldHangUpOnMachine("unknown", null)).toBe(false);
  });
  it("a keypress already proved a human: detection is overruled", () => {
    expect(shouldHangUpOnMachine("machine_start", "human")).toBe(false);
  });
});

describe("calls.create errors", () => {
  it("429 and 5xx: Twilio did not create the call; retry later", () => {
    expect(classifyDialError({ status: 429, code: 20429, message: "Too Many Requests" })).toEqual({
      kind: "not_created_retry",
      code: "20429",
      message: "Too Many Requests",
    });
    expect(classifyDialError({ status: 503, message: "Service Unavailable" }).kind).toBe("not_created_retry");
    expect(classifyDialError({ status: 500, code: 20500, message: "x" }).kind).toBe("not_created_retry");
  });
  it("401 and other 4xx: final, with Twilio's code", () => {
    expect(classifyDialError({ status: 401, code: 20003, message: "Authenticate" })).toEqual({
      kind: "not_created_final",
      code: "20003",
      message: "Authenticate",
    });
    expect(classifyDialError({ status: 400, code: 21211, message: "Invalid 'To' Phone Number" }).code).toBe("21211");
  });
  it("timeouts and broken connections may have created a call: uncertain", () => {
    expect(classifyDialError({ code: "ECONNABORTED", message: "timeout of 2000ms exceeded" }).kind).toBe("uncertain");
    expect(classifyDialError({ code: "ECONNRESET", message: "socket hang up" }).kind).toBe("uncertain");
    expect(classifyDialError({ message: "weird" }).kind).toBe("uncertain");
  });
  it("errors before the request left are certain: no call", () => {
    expect(classifyDialError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" }).kind).toBe("not_created_retry");
  });
});

describe("voice-message rules", () => {
  it("recordings under 2 s are empty", () => {
    expect(isEmptyRecording(0)).toBe(true);
    expect(isEmptyRecording(1)).toBe(true);
    expect(isEmptyRecording(2)).toBe(false);
  });
  it("download retries back off, then continue hourly", () => {
    expect(downloadRetryDelayMs(1, 0)).toBe(30_000);
    expect(downloadRetryDelayMs(2, 0)).toBe(60_000);
    expect(downloadRetryDelayMs(1, 0.999)).toBeLessThanOrEqual(37_500);
    expect(downloadRetryDelayMs(FAST_DOWNLOAD_RETRIES, 0)).toBe(16 * 60_000);
    expect(downloadRetryDelayMs(FAST_DOWNLOAD_RETRIES + 1, 0)).toBe(60 * 60_000);
    expect(downloadRetryDelayMs(100, 0)).toBe(60 * 60_000);
  });
  it("media URL comes from the configured API base", () => {
    expect(recordingMediaUrl(undefined, "AC1", "RE1", "wav")).toBe(
      "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.wav",
    );
    expect(recordingMediaUrl("http://127.0.0.1:4010/", "AC1", "RE1", "mp3")).toBe(
      "http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
    );
  });
});
