import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { renderPage } from "../web/layout.js";
import { html, toDocument } from "../web/html.js";
import { langOf, msg } from "../web/i18n.js";
import { renderLogin } from "../web/pages/login.js";
import { safeNext } from "../web/safe-next.js";
import { csrfToken, requireCsrf } from "./middleware.js";
import { homeFor, signIn, signOut } from "./signin.js";
import { authenticate, emailSchema } from "./users.js";
import { checkSignIn, recordFailure, recordSuccess, type SignInAttempt } from "./throttle.js";
import { auditRefusedSignIn } from "./refusals.js";
import { oidcRoutes } from "./oidc-routes.js";

const loginSchema = z.object({
  email: z.string().max(254),
  password: z.string().max(256),
  next: z.string().optional(),
});

/**
 * Sign-in, sign-out and (when configured) OpenID Connect. Failed sign-ins are
 * limited per account and address, per address and per account, with growing
 * delays (throttle-rules.ts); the counters are in the database, shared by every
 * instance. Successful sign-ins are never counted.
 */
export function authRouter(ctx: AppContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: "10kb" });
  const tooMany = (req: Request, res: Response, retryAfterSeconds: number) => {
    res
      .status(429)
      .set("Retry-After", String(retryAfterSeconds))
      .type("html")
      .send(
        page(req, {
          error: msg(langOf(req)).auth.tooManySignIn,
        }),
      );
  };
  const page = (req: Request, extra: { error?: string; notice?: string; email?: string } = {}) =>
    toDocument(
      renderLogin({
        lang: langOf(req),
        csrf: csrfToken(req),
        next: safeNext(req.query.next ?? (req.body as { next?: string } | undefined)?.next, ""),
        oidcLabel: ctx.config.OIDC_ISSUER && ctx.config.OIDC_CLIENT_ID ? ctx.config.OIDC_BUTTON_LABEL : undefined,
        ...extra,
      }),
    );

  r.get("/login", (req, res) => {
    if (req.user) return res.redirect(303, homeFor(req.user));
    const L = langOf(req);
    const notice =
      req.query.out === "1"
        ? msg(L).auth.youAreSignedOut
        : req.query.reset === "1"
          ? msg(L).auth.passwordWasChangedSign
          : undefined;
    const error = req.query.error === "oidc" ? msg(L).auth.signInFailedOr : undefined;
    res.set("Cache-Control", "no-store").type("html").send(page(req, { notice, error }));
  });

  r.post("/login", form, requireCsrf, async (req, res) => {
    const parsed = loginSchema.safeParse(req.body);
    const typed = parsed.success ? parsed.data.email : "";
    const attempt: SignInAttempt = {
      email: emailSchema.safeParse(typed).data ?? typed.trim().toLowerCase(),
      // Under TRUST_PROXY off this is the socket's address: X-Forwarded-For cannot change it.
      ip: req.ip ?? req.socket.remoteAddress ?? "unknown",
      now: ctx.now(),
    };
    const allowed = await checkSignIn(ctx.prisma, attempt);
    if (!allowed.allowed) {
      req.log.warn("sign-in refused", { reason: "throttled", scope: allowed.scope, ip: attempt.ip });
      await auditRefusedSignIn(ctx, attempt, {
        reason: "throttled",
        scope: allowed.scope,
        retryAfterSeconds: allowed.retryAfterSeconds,
      });
      tooMany(req, res, allowed.retryAfterSeconds ?? 1);
      return;
    }
    const user = parsed.success ? await authenticate(ctx.prisma, parsed.data.email, parsed.data.password) : null;
    if (!user) {
      await recordFailure(ctx.prisma, attempt);
      req.log.info("sign-in refused", { reason: "bad credentials", ip: attempt.ip });
      await auditRefusedSignIn(ctx, attempt, { reason: "bad_credentials" });
      res
        .status(401)
        .type("html")
        .send(
          page(req, {
            email: typed,
            error: msg(langOf(req)).auth.wrongEMailAddress,
          }),
        );
      return;
    }
    await recordSuccess(ctx.prisma, attempt);
    await signIn(ctx, req, res, user, "password");
    res.redirect(303, safeNext(parsed.data?.next, homeFor(user)));
  });

  r.get("/logout", (req, res) => {
    if (!req.user) return res.redirect(303, "/login");
    const L = langOf(req);
    const body = html`<div class="narrow"><h1>${msg(L).auth.signOut}</h1><form method="post" action="/logout"><input type="hidden" name="_csrf" value="${csrfToken(req)}"><button type="submit">${msg(L).auth.signOut}</button></form></div>`;
    res
      .type("html")
      .send(toDocument(renderPage({ title: msg(L).auth.signOut, user: req.user, body, lang: L, path: "/logout" })));
  });

  r.post("/logout", requireCsrf, async (req, res) => {
    await signOut(ctx, req, res);
    res.redirect(303, "/login?out=1");
  });

  r.use(oidcRoutes(ctx));
  return r;
}
