import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/lib/config.js";
import { createLogger, prettyLine, resolveLogFormat } from "../src/lib/logger.js";

describe("LOG_FORMAT", () => {
  it("is pretty on a terminal and JSON otherwise unless set", () => {
    expect(resolveLogFormat(undefined, true)).toBe("pretty");
    expect(resolveLogFormat(undefined, false)).toBe("json");
    expect(resolveLogFormat("json", true)).toBe("json");
    expect(resolveLogFormat("pretty", false)).toBe("pretty");
  });

  it("writes one readable line: time, level, message, then key=value", () => {
    const line = prettyLine({
      level: "info",
      message: "service started",
      timestamp: "2026-03-04T10:00:00.123Z",
      url: "http://localhost:3000",
      telephony: "built-in Twilio simulator",
      calls: 3,
    });
    expect(line).toBe(
      '10:00:00 info service started  url=http://localhost:3000 telephony="built-in Twilio simulator" calls=3',
    );
  });

  it("puts a stack on the lines below, not inside the fields", () => {
    const line = prettyLine({
      level: "error",
      message: "boom",
      timestamp: "2026-03-04T10:00:00Z",
      stack: "Error: x\n    at y",
    });
    expect(line.split("\n")).toEqual(["10:00:00 error boom", "Error: x", "    at y"]);
  });
});

describe("LOG_PER_CALL", () => {
  /** The entries a logger lets through, captured from its console transport. */
  function captured(perCall: boolean) {
    const logger = createLogger("info", { format: "json", perCall });
    const lines: Record<string, unknown>[] = [];
    logger.transports[0].log = (info: Record<string, unknown>, next: () => void) => {
      lines.push(info);
      next();
    };
    const child = logger.child({ surveyId: "5c1c3f0e-0000-4000-8000-000000000001", callSid: "CA123" });
    child.info("survey call placed");
    child.warn("Twilio refused the call");
    logger.info("demo traffic", { surveysFinished: 12 });
    logger.info("SMS sent", { smsId: "b1" });
    return lines.map((l) => l.message);
  }

  it("off: a call's info lines are dropped, its warnings and the summaries kept", () => {
    expect(captured(false)).toEqual(["Twilio refused the call", "demo traffic"]);
  });

  it("on: every line is kept", () => {
    expect(captured(true)).toEqual(["survey call placed", "Twilio refused the call", "demo traffic", "SMS sent"]);
  });

  it("is off with the demo traffic unless set, and on otherwise", () => {
    expect(loadConfig({}).logPerCall).toBe(false);
    expect(loadConfig({ LOG_PER_CALL: "true" }).logPerCall).toBe(true);
    expect(loadConfig({ DEMO_TRAFFIC: "false" }).logPerCall).toBe(true);
    expect(
      loadConfig({
        TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
        TWILIO_AUTH_TOKEN: "x".repeat(32),
        TWILIO_FROM_NUMBER: "+46850000000",
      }).logPerCall,
    ).toBe(true);
  });
});
