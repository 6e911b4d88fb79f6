import { renderPage } from "../layout.js";
import { html, type Html } from "../html.js";
import { tr, type Lang } from "../i18n.js";

export interface LoginView {
  lang: Lang;
  csrf: string;
  next: string;
  email?: string;
  error?: string;
  notice?: string;
  /** Label of the OIDC button, when OIDC is configured. */
  oidcLabel?: string;
}

export function renderLogin(v: LoginView): Html {
  const L = v.lang;
  const body = html`<div class="narrow">
<h1>${tr(L, "Logga in", "Sign in")}</h1>
<p class="lead">${tr(L, "Resultat från kundundersökningen efter samtal till kundcenter.", "Results of the customer survey after calls to the contact centre.")}</p>
${v.error && html`<p class="error" role="alert" id="login-error">${v.error}</p>`}
${v.notice && html`<p class="notice" role="status">${v.notice}</p>`}
<form method="post" action="/login" class="card" novalidate>
<input type="hidden" name="_csrf" value="${v.csrf}">
<input type="hidden" name="next" value="${v.next}">
<label for="email">${tr(L, "E-postadress", "E-mail address")}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${v.email ?? ""}"${v.error && html` aria-describedby="login-error" aria-invalid="true"`}>
<label for="password">${tr(L, "Lösenord", "Password")}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${v.error && html` aria-describedby="login-error" aria-invalid="true"`}>
<p><button type="submit">${tr(L, "Logga in", "Sign in")}</button></p>
</form>
${
  v.oidcLabel &&
  html`<p>${tr(L, "Eller", "Or")}</p><p><a class="button secondary" href="/auth/oidc/start?next=${encodeURIComponent(v.next)}">${tr(L, "Logga in med", "Sign in with")} ${v.oidcLabel}</a></p>`
}
</div>`;
  return renderPage({ title: tr(L, "Logga in", "Sign in"), user: null, body, lang: L, path: "/login" });
}
