import type { Request } from "express";
import { csrfToken } from "../auth/middleware.js";
import type { AppError } from "../lib/errors.js";
import { html, toDocument } from "./html.js";
import { langOf, type Lang } from "./i18n.js";
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

interface ErrorText {
  title: string;
  text: string;
}

const TEXT: Record<Lang, Record<"400" | "403" | "404" | "500", ErrorText>> = {
  sv: {
    "400": { title: "Felaktig begäran", text: "Det som skickades gick inte att läsa. Gå tillbaka och försök igen." },
    "403": { title: "Ingen behörighet", text: "Din roll har inte tillgång till den här sidan." },
    "404": { title: "Sidan finns inte", text: "Kontrollera adressen." },
    "500": {
      title: "Något gick fel",
      text: "Ett fel uppstod hos oss. Försök igen om en stund; om felet består, kontakta din administratör.",
    },
  },
  en: {
    "400": { title: "Bad request", text: "What was sent could not be read. Go back and try again." },
    "403": { title: "Not allowed", text: "Your role does not have access to this page." },
    "404": { title: "Page not found", text: "Check the address." },
    "500": {
      title: "Something went wrong",
      text: "An error occurred on our side. Try again in a while; if it persists, contact your administrator.",
    },
  },
};

function textFor(lang: Lang, status: number): ErrorText {
  const byStatus = TEXT[lang];
  if (status === 403 || status === 401) return byStatus["403"];
  if (status === 404) return byStatus["404"];
  if (status >= 500) return byStatus["500"];
  return byStatus["400"];
}

/**
 * The error page for `err`. The AppError's `userMessage` (a Swedish sentence
 * meant for people) is shown in Swedish; the technical `message` never is.
 */
export function renderErrorPage(req: Request, err: AppError): string {
  const lang = langOf(req);
  const { title, text } = textFor(lang, err.status);
  const sentence = lang === "sv" && err.userMessage ? err.userMessage : text;
  const home = lang === "en" ? "Go to the start page" : "Till startsidan";
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
