import express, { Router, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { asyncHandler } from "../lib/http.js";
import { renderPage } from "../web/layout.js";
import { html, toDocument } from "../web/html.js";
import { langOf, tr } from "../web/i18n.js";
import { renderLogin } from "../web/pages/login.js";
import { safeNext } from "../web/safe-next.js";
import { csrfToken, requireCsrf } from "./middleware.js";
import { homeFor, signIn, signOut } from "./signin.js";
import { authenticate } from "./users.js";
import { oidcRoutes } from "./oidc-routes.js";

const loginSchema = z.object({
  email: z.string().max(254),
  password: z.string().max(256),
  next: z.string().optional(),
});

/**
 * Sign-in, sign-out and (when configured) OpenID Connect. Login is limited
 * per IP and, for failures, per account; counters live in this instance's
 * memory (several instances each keep their own, which still bounds guessing).
 */
export function authRouter(ctx: AppContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: "10kb" });
  const tooMany = (req: Request, res: Response) => {
    res
      .status(429)
      .type("html")
      .send(
        page(req, {
          error: tr(
            langOf(req),
            "För många inloggningsförsök. Vänta en stund och försök igen.",
            "Too many sign-in attempts. Wait a while and try again.",
          ),
        }),
      );
  };
  const perIp = rateLimit({
    windowMs: 15 * 60_000,
    limit: 30,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: tooMany,
  });
  const perAccount = rateLimit({
    windowMs: 15 * 60_000,
    limit: 5,
    skipSuccessfulRequests: true,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) =>
      `acct:${String((req.body as { email?: unknown })?.email ?? "")
        .trim()
        .toLowerCase()}`,
    handler: tooMany,
  });

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
    const notice = req.query.out === "1" ? tr(L, "Du är utloggad.", "You are signed out.") : undefined;
    const error =
      req.query.error === "oidc"
        ? tr(
            L,
            "Inloggningen misslyckades eller kontot saknas. Kontakta administratören.",
            "Sign-in failed or there is no account. Contact the administrator.",
          )
        : undefined;
    res.set("Cache-Control", "no-store").type("html").send(page(req, { notice, error }));
  });

  r.post(
    "/login",
    form,
    perIp,
    perAccount,
    requireCsrf,
    asyncHandler(async (req, res) => {
      const parsed = loginSchema.safeParse(req.body);
      const user = parsed.success ? await authenticate(ctx.prisma, parsed.data.email, parsed.data.password) : null;
      if (!user) {
        req.log.info("sign-in refused", { reason: "bad credentials" });
        res
          .status(401)
          .type("html")
          .send(
            page(req, {
              email: parsed.success ? parsed.data.email : "",
              error: tr(langOf(req), "Fel e-postadress eller lösenord.", "Wrong e-mail address or password."),
            }),
          );
        return;
      }
      await signIn(ctx, req, res, user, "password");
      res.redirect(303, safeNext(parsed.data?.next, homeFor(user)));
    }),
  );

  r.get("/logout", (req, res) => {
    if (!req.user) return res.redirect(303, "/login");
    const L = langOf(req);
    const body = html`<div class="narrow"><h1>${tr(L, "Logga ut", "Sign out")}</h1><form method="post" action="/logout"><input type="hidden" name="_csrf" value="${csrfToken(req)}"><button type="submit">${tr(L, "Logga ut", "Sign out")}</button></form></div>`;
    res
      .type("html")
      .send(
        toDocument(
          renderPage({ title: tr(L, "Logga ut", "Sign out"), user: req.user, body, lang: L, path: "/logout" }),
        ),
      );
  });

  r.post(
    "/logout",
    requireCsrf,
    asyncHandler(async (req, res) => {
      await signOut(ctx, req, res);
      res.redirect(303, "/login?out=1");
    }),
  );

  r.use(oidcRoutes(ctx));
  return r;
}
