import type { Request } from "express";
import { csrfToken } from "../auth/middleware.js";
import { userMessageIn, type AppError } from "../lib/errors.js";
import { html, toDocument } from "./html.js";
import type { Messages } from "../i18n/index.js";
import { langOf, msg, type Lang } from "./i18n.js";
import { renderPage } from "./layout.js";

/**
 * A browser asking for a page gets the app's own error page in the layout;
 * API clients (/api/*) keep the JSON error body and Twilio (/twilio/*) its TwiML.
 */
export function wantsErrorPage(req: Request): boolean {
  const path = req.originalUrl;
  if (path.startsWith("/api/") || path === "/api" || path.startsWith("/twilio/") || path === "/twilio") return false;
  return (req.get("accept") ?? "").includes("text/html");
}

type ErrorText = Messages["errors"]["notFound"];

function textFor(lang: Lang, status: number): ErrorText {
  const e = msg(lang).errors;
  if (status === 403 || status === 401) return e.forbidden;
  if (status === 404) return e.notFound;
  if (status >= 500) return e.serverError;
  return e.badRequest;
}

/**
 * The error page for `err`. The AppError's `userMessage` (a sentence meant for
 * people, from the catalogue in the viewer's language; an older Swedish-only
 * string only in Swedish) is shown; the technical `message` never is.
 */
export function renderErrorPage(req: Request, err: AppError): string {
  const lang = langOf(req);
  const { title, text } = textFor(lang, err.status);
  const sentence = userMessageIn(err, lang) ?? text;
  const home = msg(lang).errors.home;
  let token: string | undefined;
  try {
    token = req.user ? csrfToken(req) : undefined;
  } catch {
    token = undefined;
  }
  return toDocument(
    renderPage({
      title,
      user: req.user ?? null,
      body: html`<h1>${title}</h1><p class="error-text">${sentence}</p><p><a href="/">${home}</a></p>`,
      lang,
      csrfToken: token,
      path: req.originalUrl,
    }),
  );
}
