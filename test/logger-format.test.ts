import { describe, expect, it } from "vitest";
import { prettyLine, resolveLogFormat } from "../src/lib/logger.js";

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
