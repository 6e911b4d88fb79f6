import type { Request } from "express";
import type { Config } from "../lib/config.js";

/** Parses the Cookie header (first value wins, as browsers send the most specific first). */
export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed value is treated as absent.
    }
  }
  return out;
}

export const isSecure = (config: Config) => config.publicBaseUrl.startsWith("https:");

/** `__Host-` pins the cookie to this exact origin, but browsers accept it only with Secure. */
export const sessionCookieName = (config: Config) => (isSecure(config) ? "__Host-nki_session" : "nki_session");
export const preAuthCookieName = (config: Config) => (isSecure(config) ? "__Host-nki_csrf" : "nki_csrf");
export const LANG_COOKIE = "nki_lang";

export interface CookieOptions {
  maxAgeSeconds?: number;
  httpOnly?: boolean;
}

export function serializeCookie(config: Config, name: string, value: string, o: CookieOptions = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "SameSite=Lax"];
  if (o.httpOnly !== false) parts.push("HttpOnly");
  if (isSecure(config)) parts.push("Secure");
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`);
  return parts.join("; ");
}
