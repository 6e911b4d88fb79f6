import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { issueLinkToken, LINK_LIFETIME_MS, openLinkToken } from "../src/websurvey/token.js";

const crypto = createNumberCrypto(randomBytes(32));
const now = new Date("2026-12-03T10:00:00Z");
const id = "cmabc123def456ghi789";

describe("web-survey link tokens", () => {
  it("opens what it issued, until seven days have passed", () => {
    const token = issueLinkToken(crypto, id, now);
    const opened = openLinkToken(crypto, token, new Date(now.getTime() + LINK_LIFETIME_MS - 1000));
    expect(opened).toEqual({ ok: true, claims: { surveyCallId: id, expiresAt: expect.any(Date) as Date } });
    expect(openLinkToken(crypto, token, new Date(now.getTime() + LINK_LIFETIME_MS))).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("shows no id in the token and refuses any change to it", () => {
    const token = issueLinkToken(crypto, id, now);
    expect(token).not.toContain(id);
    expect(Buffer.from(token, "base64url").toString("latin1")).not.toContain(id);
    const i = 30;
    const tampered = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
    expect(openLinkToken(crypto, tampered, now)).toEqual({ ok: false, reason: "invalid" });
    expect(openLinkToken(crypto, "not a token", now)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a token sealed with another installation's key", () => {
    const other = createNumberCrypto(randomBytes(32));
    expect(openLinkToken(crypto, issueLinkToken(other, id, now), now)).toEqual({ ok: false, reason: "invalid" });
  });
});
