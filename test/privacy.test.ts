import { randomBytes } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createNumberCrypto, loadNumberKey } from "../src/lib/crypto.js";
import { maskPhone } from "../src/lib/logger.js";
import { capturingLogger } from "./support/capturing-logger.js";

describe("caller numbers at rest", () => {
  const crypto = createNumberCrypto(randomBytes(32));

  it("encrypts with a fresh IV each time and decrypts back", () => {
    const a = crypto.encrypt("+46701740605");
    const b = crypto.encrypt("+46701740605");
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from("46701740605"))).toBe(false);
    expect(crypto.decrypt(a)).toBe("+46701740605");
  });

  it("rejects a tampered ciphertext", () => {
    const a = crypto.encrypt("+46701740605");
    a[a.length - 1] ^= 1;
    expect(() => crypto.decrypt(a)).toThrow();
  });

  it("hashes deterministically per key, differently under another key", () => {
    expect(crypto.hash("+46701740605")).toBe(crypto.hash("+46701740605"));
    expect(createNumberCrypto(randomBytes(32)).hash("+46701740605")).not.toBe(crypto.hash("+46701740605"));
  });

  it("generates the embedded key once, readable only by the service user", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nki-key-"));
    const first = loadNumberKey(undefined, dir);
    const again = loadNumberKey(undefined, dir);
    expect(first.key.equals(again.key)).toBe(true);
    expect(statSync(first.source).mode & 0o777).toBe(0o600);
  });
});

describe("logs", () => {
  it("masks phone numbers in messages and fields", () => {
    expect(maskPhone("+46701740605")).toBe("+4670*****05");
    const { logger, seen } = capturingLogger("info");
    logger.info("calling +46701740605 now", {
      to: "070-174 06 05",
      nested: { from: "+46701740699" },
      typed: "(08) 123 456 78",
      intl: "+46 (0)70 174 06 98",
    });
    const text = JSON.stringify(seen);
    expect(text).not.toMatch(/46701740605|174 06 05|46701740699|123 456 78|174 06 98/);
    expect(text).toContain("+4670*****05");
  });
});

describe("log masking leaves other values readable", () => {
  it("does not mask dates, times or counts", () => {
    const { logger, seen } = capturingLogger("info");
    logger.info("survey due", { dueAt: "2026-11-22T05:00:00.000Z", count: 1234567890 });
    expect(JSON.stringify(seen)).toContain("2026-11-22T05:00:00.000Z");
    expect(JSON.stringify(seen)).toContain("1234567890");
  });
});
