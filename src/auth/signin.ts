import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import { serializeCookie, sessionCookieName } from "./cookies.js";
import { sessionPolicy, type SessionUser } from "./middleware.js";
import { createSession, destroySession, type SessionData } from "./sessions.js";

/**
 * Starts a session for a user who proved who they are: a brand-new session id
 * (any previous session of this browser is destroyed, so a planted id can
 * never become an authenticated one), the cookie, and an audit entry.
 */
export async function signIn(
  ctx: AppContext,
  req: Request,
  res: Response,
  user: SessionUser,
  method: SessionData["method"],
): Promise<void> {
  if (req.session) await destroySession(ctx.prisma, req.session.key);
  const policy = sessionPolicy(ctx.config);
  const { id, session } = await createSession(ctx.prisma, { userId: user.id, now: ctx.now(), policy, method });
  // Max-Age is the absolute limit; the server enforces the idle limit.
  res.append(
    "Set-Cookie",
    serializeCookie(ctx.config, sessionCookieName(ctx.config), id, { maxAgeSeconds: policy.absoluteMs / 1000 }),
  );
  req.user = user;
  req.session = session;
  await audit(ctx.prisma, {
    organizationId: user.organizationId,
    actorUserId: user.id,
    action: "auth.login",
    targetType: "user",
    targetId: user.id,
    detail: { method },
    ip: req.ip,
  });
  req.log.info("signed in", { userId: user.id, role: user.role, method });
}

export async function signOut(ctx: AppContext, req: Request, res: Response): Promise<void> {
  if (req.session) await destroySession(ctx.prisma, req.session.key);
  res.append("Set-Cookie", serializeCookie(ctx.config, sessionCookieName(ctx.config), "", { maxAgeSeconds: 0 }));
  if (req.user) {
    await audit(ctx.prisma, {
      organizationId: req.user.organizationId,
      actorUserId: req.user.id,
      action: "auth.logout",
      targetType: "user",
      targetId: req.user.id,
      ip: req.ip,
    });
  }
  req.user = undefined;
  req.session = undefined;
}

/** Where a user lands after signing in. */
export const homeFor = (user: SessionUser) => (user.role === "agent" ? "/me" : "/overview");
