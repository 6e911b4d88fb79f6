import { describe, expect, it } from "vitest";
import { delayAfterFailures, KNOWN_ADDRESS_MS, SIGN_IN_POLICY, verdict } from "../src/auth/throttle-rules.js";

describe("sign-in delays", () => {
  it("allow the free failures, then double from the first delay up to the cap", () => {
    const p = SIGN_IN_POLICY.pair;
    const delays = Array.from({ length: 12 }, (_, i) => delayAfterFailures(i + 1, p));
    expect(delays.slice(0, p.free - 1)).toEqual([0, 0, 0, 0]);
    expect(delays.slice(p.free - 1, p.free + 2)).toEqual([30_000, 60_000, 120_000]);
    expect(Math.max(...delays)).toBe(p.maxDelayMs);
    expect(delayAfterFailures(10_000, p)).toBe(p.maxDelayMs);
  });

  it("never lock an account for long: its delay is capped at a minute", () => {
    expect(delayAfterFailures(1_000_000, SIGN_IN_POLICY.account)).toBeLessThanOrEqual(60_000);
  });
});

describe("the verdict on an attempt", () => {
  const now = new Date("2026-03-02T08:00:00Z");
  const later = new Date(now.getTime() + 42_500);

  it("refuses while any scope is blocked and reports the longest wait", () => {
    const v = verdict(
      [
        { scope: "pair", blockedUntil: new Date(now.getTime() + 10_000), lastSuccessAt: null },
        { scope: "address", blockedUntil: later, lastSuccessAt: null },
      ],
      now,
    );
    expect(v).toEqual({ allowed: false, scope: "address", retryAfterSeconds: 43 });
  });

  it("lets an address that signed in to the account recently past the account-wide delay, but not past its own", () => {
    const recent = new Date(now.getTime() - 24 * 3_600_000);
    const account = { scope: "account" as const, blockedUntil: later, lastSuccessAt: null };
    expect(verdict([{ scope: "pair", blockedUntil: null, lastSuccessAt: recent }, account], now).allowed).toBe(true);
    const stale = new Date(now.getTime() - KNOWN_ADDRESS_MS - 1);
    expect(verdict([{ scope: "pair", blockedUntil: null, lastSuccessAt: stale }, account], now).allowed).toBe(false);
    expect(verdict([{ scope: "pair", blockedUntil: later, lastSuccessAt: recent }, account], now).allowed).toBe(false);
  });

  it("allows once every delay has passed", () => {
    expect(verdict([{ scope: "pair", blockedUntil: now, lastSuccessAt: null }], now).allowed).toBe(true);
  });
});
