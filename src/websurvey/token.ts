import type { NumberCrypto } from "../lib/crypto.js";

/**
 * The token in a web-survey link (`/s/<token>`): the survey's id and an expiry,
 * sealed with AES-256-GCM so it is both signed (any change fails) and opaque
 * (no id or number can be read from it). Whether the survey is still open, or
 * was already completed through this link, is the database's business, not the
 * token's: a valid token only says which survey and until when.
 */
export const LINK_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export interface LinkClaims {
  surveyCallId: string;
  expiresAt: Date;
}

export type OpenedLink = { ok: true; claims: LinkClaims } | { ok: false; reason: "invalid" | "expired" };

const VERSION = 1;

export function issueLinkToken(crypto: NumberCrypto, surveyCallId: string, now: Date): string {
  const expiresAt = Math.floor((now.getTime() + LINK_LIFETIME_MS) / 1000);
  const id = Buffer.from(surveyCallId, "utf8");
  const payload = Buffer.alloc(1 + 4 + id.length);
  payload.writeUInt8(VERSION, 0);
  payload.writeUInt32BE(expiresAt, 1);
  id.copy(payload, 5);
  return crypto.sealToken(payload).toString("base64url");
}

export function openLinkToken(crypto: NumberCrypto, token: string, now: Date): OpenedLink {
  if (!/^[A-Za-z0-9_-]{40,400}$/.test(token)) return { ok: false, reason: "invalid" };
  const payload = crypto.openToken(Buffer.from(token, "base64url"));
  if (!payload || payload.length < 6 || payload.readUInt8(0) !== VERSION) return { ok: false, reason: "invalid" };
  const expiresAt = new Date(payload.readUInt32BE(1) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, claims: { surveyCallId: payload.subarray(5).toString("utf8"), expiresAt } };
}

export function webSurveyUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/s/${token}`;
}
