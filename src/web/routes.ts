import path from "node:path";
import { PACKAGE_ROOT } from "../lib/package-root.js";
import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import { csrfToken, wantsHtml } from "../auth/middleware.js";
import { AppError } from "../lib/errors.js";
import { renderPage } from "./layout.js";
import { langOf, tr } from "./i18n.js";
import { html, toDocument } from "./html.js";
import type { AppContext } from "../context.js";
import { LANG_COOKIE, serializeCookie } from "../auth/cookies.js";
import { safeNext } from "./safe-next.js";
import { authRouter } from "../auth/routes.js";
import { realtimeRouter } from "../realtime/routes.js";
import { adminRouter } from "./admin/routes.js";
import { pagesRouter } from "./pages-routes.js";
import { webSnapshot } from "./live.js";

const ASSETS = path.join(PACKAGE_ROOT, "src/web/assets");

export { safeNext };

/** A page request that fails with 403/404 gets a page, not the JSON error body. */
const htmlErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (!(err instanceof AppError) || !wantsHtml(req) || (err.status !== 403 && err.status !== 404)) return next(err);
  const L = langOf(req);
  const title =
    err.status === 403 ? tr(L, "Ingen behörighet", "Not allowed") : tr(L, "Sidan finns inte", "Page not found");
  const text =
    err.status === 403
      ? tr(L, "Din roll har inte tillgång till den här sidan.", "Your role does not have access to this page.")
      : tr(L, "Kontrollera adressen.", "Check the address.");
  res
    .status(err.status)
    .type("html")
    .send(
      toDocument(
        renderPage({
          title,
          user: req.user ?? null,
          body: html`<h1>${title}</h1><p>${text}</p><p><a href="/">${tr(L, "Till startsidan", "Go to the start page")}</a></p>`,
          lang: L,
          csrfToken: req.user ? csrfToken(req) : undefined,
        }),
      ),
    );
};

/**
 * A bad value in a page's address (e.g. a period) with a sentence meant for
 * people: the app's own page, status 400. An error handler for the routers
 * of pages outside this one (an error never enters a later router).
 */
export const badInputPage: ErrorRequestHandler = (err, req, res, next) => {
  if (!(err instanceof AppError) || err.status !== 400 || !err.userMessage || !wantsHtml(req)) return next(err);
  renderBadInput(err, req, res);
};

function renderBadInput(err: AppError, req: Request, res: Response): void {
  const L = langOf(req);
  const title = tr(L, "Det gick inte att visa sidan", "The page could not be shown");
  const text = L === "en" ? err.message : err.userMessage;
  res
    .status(400)
    .type("html")
    .send(
      toDocument(
        renderPage({
          title,
          user: req.user ?? null,
          body: html`<h1>${title}</h1><p role="alert">${text}</p><p><a href="${req.path}">${tr(L, "Visa aktuell period", "Show the current period")}</a></p>`,
          lang: L,
          csrfToken: req.user ? csrfToken(req) : undefined,
        }),
      ),
    );
}

export function webRouter(ctx: AppContext): Router {
  const r = Router();
  r.use("/assets", express.static(ASSETS, { maxAge: "1h", index: false }));
  r.get("/lang/:lang", (req, res) => {
    const lang = req.params.lang === "en" ? "en" : "sv";
    res.append(
      "Set-Cookie",
      serializeCookie(ctx.config, LANG_COOKIE, lang, { maxAgeSeconds: 365 * 86_400, httpOnly: false }),
    );
    res.redirect(303, safeNext(req.query.next));
  });
  r.use(authRouter(ctx));
  r.use(realtimeRouter(ctx, webSnapshot));
  r.use(pagesRouter(ctx));
  r.use(adminRouter(ctx));
  r.use(htmlErrors);
  return r;
}
