import { describe, expect, it } from "vitest";
import { capturingLogger } from "./support/capturing-logger.js";

/** A logger whose console transport is replaced by one that records what reaches it. */
const capturing = (level: string, transportLevel?: string) =>
  capturingLogger(level, { format: "json", transportLevel });

describe("entries below the level", () => {
  it("are dropped before the format pipeline (nothing reads their fields), from children too", () => {
    const { logger, seen } = capturing("warn");
    // Copying an entry reads only its top-level fields; masking and JSON would read this nested one.
    let reads = 0;
    const meta = {
      nested: {
        get field() {
          reads++;
          return "x";
        },
      },
    };
    const child = logger.child({ requestId: "r1" }).child({ surveyId: "s1" });
    child.log("http", "request", meta);
    child.info("survey call answered", meta);
    logger.debug("detail", meta);
    expect(reads).toBe(0);
    child.warn("kept", { surveyId: "s1" });
    logger.error("also kept");
    expect(seen.map((e) => [e.level, e.message, e.requestId])).toEqual([
      ["warn", "kept", "r1"],
      ["error", "also kept", undefined],
    ]);
  });

  it("still reach a transport added later with a lower level of its own, masked and stamped", () => {
    const { logger, seen } = capturing("warn", "debug");
    let reads = 0;
    logger.debug("read", {
      nested: {
        get field() {
          reads++;
          return "x";
        },
      },
    });
    expect(reads).toBeGreaterThan(0);
    seen.length = 0;
    logger.child({ requestId: "r2" }).log("http", "request", { to: "+46701740605" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ level: "http", message: "request", requestId: "r2", to: "+4670*****05" });
    expect(typeof seen[0].timestamp).toBe("string");
  });

  it("follow the level and silent flag as they are when logging", () => {
    const { logger, seen } = capturing("warn");
    logger.info("dropped");
    logger.level = "info";
    logger.info("kept");
    logger.silent = true;
    logger.error("silenced");
    expect(seen.map((e) => e.message)).toEqual(["kept"]);
  });
});
