import { timingSafeEqual } from "node:crypto";
import express, { type Request, type RequestHandler } from "express";
import type { Role } from "../generated/prisma/enums.js";
import type { AppContext } from "../context.js";
import type { Config } from "../lib/config.js";
import { AppError } from "../lib/errors.js";
import { newToken, loadSession, type LoadedSession, type SessionPolicy } from "./sessions.js";
import { preAuthCookieName, readCookies, serializeCookie, sessionCookieName } from "./cookies.js";

export interface SessionUser {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  /** The agent identity an agent account is linked to. */
  agentId: string | null;
}

declare module "express-serve-static-core" {
  interface Request {
    /** The signed-in user, set by `sessionMiddleware` (absent for anonymous requests). */
    user?: SessionUser;
    /** The server-side session behind `user`. */
    session?: LoadedSession;
  }
}

export const sessionPolicy = (config: Config): SessionPolicy => ({
  idleMs: config.SESSION_IDLE_MINUTES * 60_000,
  absoluteMs: config.SESSION_MAX_HOURS * 3_600_000,
});

/**
 * Mounted once, before every feature router (src/app.ts): resolves the
 * session cookie to `req.user`. Requests without the cookie (webhooks, API
 * keys) cost nothing; an expired or unknown cookie is cleared.
 */
export function sessionMiddleware(ctx: AppContext): RequestHandler {
  const name = sessionCookieName(ctx.config);
  const policy = sessionPolicy(ctx.config);
  return (req, res, next) => {
    // csrfToken/requireCsrf need the cookie settings without a ctx parameter.
    req.app.locals.config ??= ctx.config;
    const id = readCookies(req)[name];
    if (!id) return next();
    (async () => {
      const session = await loadSession(ctx.prisma, id, ctx.now(), policy);
      const user = session
        ? await ctx.prisma.user.findFirst({
            where: { id: session.userId, disabledAt: null },
            select: { id: true, organizationId: true, email: true, name: true, role: true, agentId: true },
          })
        : null;
      if (!session || !user) {
        res.append("Set-Cookie", serializeCookie(ctx.config, name, "", { maxAgeSeconds: 0 }));
        return next();
      }
      req.user = user;
      req.session = session;
      next();
    })().catch(next);
  };
}

/** Pages get a redirect to the sign-in page; API calls and scripts get 401 JSON. */
export function wantsHtml(req: Request): boolean {
  return (
    req.method === "GET" && !req.originalUrl.startsWith("/api/") && (req.get("accept") ?? "").includes("text/html")
  );
}

/** Requires a signed-in user with one of the roles (any role when omitted). */
export function requireUser(_ctx: AppContext, roles?: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.user) {
      if (wantsHtml(req)) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return next(new AppError("unauthorized", "Sign in first"));
    }
    if (roles && !roles.includes(req.user.role)) return next(new AppError("forbidden", "Not allowed for your role"));
    next();
  };
}

/**
 * The CSRF token to put in every form (`<input type="hidden" name="_csrf">`)
 * or send as `X-CSRF-Token`. Signed in: the session's synchronizer token.
 * Anonymous (the sign-in form): a double-submit cookie, set here when missing.
 */
export function csrfToken(req: Request): string {
  if (req.session) return req.session.data.csrf;
  const config = (req.app.locals.config as Config | undefined) ?? null;
  const name = config ? preAuthCookieName(config) : "nki_csrf";
  const existing = readCookies(req)[name] ?? (req as { _preCsrf?: string })._preCsrf;
  if (existing && /^[A-Za-z0-9_-]{40,60}$/.test(existing)) return existing;
  const token = newToken();
  (req as { _preCsrf?: string })._preCsrf = token;
  if (config) req.res?.append("Set-Cookie", serializeCookie(config, name, token));
  return token;
}

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const formParser = express.urlencoded({ extended: false, limit: "100kb" });

/**
 * Rejects a state-changing request whose token (form field `_csrf` or header
 * `X-CSRF-Token`) does not match. Parses a form body itself when no parser ran.
 * A cross-site Origin is refused outright as a second line of defence.
 */
export const requireCsrf: RequestHandler = (req, res, next) => {
  const check = () => {
    const config = req.app.locals.config as Config | undefined;
    const origin = req.get("origin");
    if (
      config &&
      origin &&
      origin !== "null" &&
      origin !== config.publicBaseUrl &&
      origin !== `${req.protocol}://${req.get("host")}`
    ) {
      return next(new AppError("forbidden", "Cross-site request refused"));
    }
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get("x-csrf-token");
    const expected = req.session
      ? req.session.data.csrf
      : readCookies(req)[config ? preAuthCookieName(config) : "nki_csrf"];
    if (typeof sent !== "string" || !sameToken(sent, expected)) {
      return next(new AppError("forbidden", "Missing or invalid CSRF token; reload the page and try again"));
    }
    next();
  };
  if (req.body === undefined && req.is("application/x-www-form-urlencoded"))
    return formParser(req, res, (err) => (err ? next(err) : check()));
  check();
};
