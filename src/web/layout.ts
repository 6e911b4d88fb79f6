import type { SessionUser } from "../auth/middleware.js";
import { html, joinHtml, type Html } from "./html.js";
import { shellText, type Lang } from "./i18n.js";

export interface PageOptions {
  title: string;
  user: SessionUser | null;
  /** Navigation key of the current page: me | overview | queue | search | weekly | period | admin | audit. */
  active?: string;
  /** The page's content, built with `html`. */
  body: Html;
  /** Script URLs served by this service. */
  scripts?: string[];
  lang?: Lang;
  /** Needed for the sign-out button; without it sign-out goes through a confirmation page. */
  csrfToken?: string;
  /** Extra stylesheet URLs served by this service (e.g. a print sheet for reports). */
  styles?: string[];
  /** Path of this page, so the language toggle comes back to it. */
  path?: string;
  /**
   * A page for citizens (the web survey): this name instead of the service's brand, not a link, and the
   * language toggle going to this address (no cookie: the choice travels in the link).
   */
  citizen?: { brand: string; langHref: string };
}

interface NavItem {
  key: string;
  href: string;
  label: string;
}

function navFor(user: SessionUser, lang: Lang): NavItem[] {
  const t = shellText(lang);
  if (user.role === "agent") return [{ key: "me", href: "/me", label: t.me }];
  const items: NavItem[] = [
    { key: "overview", href: "/overview", label: t.overview },
    { key: "queue", href: "/queue", label: t.queue },
    { key: "search", href: "/search", label: t.search },
    { key: "weekly", href: "/reports/weekly", label: t.weekly },
    { key: "period", href: "/reports/period", label: t.period },
  ];
  if (user.role === "admin")
    items.push(
      { key: "admin", href: "/admin", label: t.admin },
      { key: "audit", href: "/admin/audit", label: t.audit },
    );
  return items;
}

/**
 * The page shell: skip link, header with navigation and language toggle,
 * one <main>. Every asset comes from this service (no CDN, no web fonts).
 */
export function renderPage(o: PageOptions): Html {
  const lang = o.lang ?? "sv";
  const t = shellText(lang);
  const nav = o.user
    ? html`<nav aria-label="${t.nav}"><ul>${navFor(o.user, lang).map(
        (i) => html`<li><a href="${i.href}"${i.key === o.active && html` aria-current="page"`}>${i.label}</a></li>`,
      )}</ul></nav>`
    : "";
  const signOut = o.user
    ? o.csrfToken
      ? html`<form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${o.csrfToken}"><button type="submit" class="link">${t.signOut}</button></form>`
      : html`<a href="/logout">${t.signOut}</a>`
    : "";
  const who = o.user
    ? html`<span class="who">${t.signedInAs} <strong>${o.user.name}</strong> (${t.roles[o.user.role]})</span>`
    : "";
  const back = encodeURIComponent(o.path ?? "/");
  const toggleHref = o.citizen ? o.citizen.langHref : `/lang/${t.otherLangCode}?next=${back}`;
  const toggle = html`<a href="${toggleHref}" lang="${t.otherLangCode}" hreflang="${t.otherLangCode}">${t.otherLang}</a>`;
  const brand = o.citizen
    ? html`<span class="brand">${o.citizen.brand}</span>`
    : html`<a class="brand" href="/">${t.brand}</a>`;
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} – ${o.citizen?.brand ?? t.brand}</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
${joinHtml(
  (o.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`),
  html`\n`,
)}
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header class="top">
<div class="bar">${brand}<div class="tools">${who}${toggle}${signOut}</div></div>
${nav}
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
${joinHtml(
  (o.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`),
  html`\n`,
)}
</body>
</html>`;
}
