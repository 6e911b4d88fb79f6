import { renderPage } from "../layout.js";
import { html, type Html } from "../html.js";
import { msg, type Lang } from "../i18n.js";

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
<h1>${msg(L).auth.signIn}</h1>
<p class="lead">${msg(L).auth.resultsOfCustomerSurvey}</p>
${v.error && html`<p class="error" role="alert" id="login-error">${v.error}</p>`}
${v.notice && html`<p class="notice" role="status">${v.notice}</p>`}
<form method="post" action="/login" class="card" novalidate>
<input type="hidden" name="_csrf" value="${v.csrf}">
<input type="hidden" name="next" value="${v.next}">
<label for="email">${msg(L).auth.eMailAddress}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${v.email ?? ""}"${v.error && html` aria-describedby="login-error" aria-invalid="true"`}>
<label for="password">${msg(L).auth.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${v.error && html` aria-describedby="login-error" aria-invalid="true"`}>
<p><button type="submit">${msg(L).auth.signIn}</button></p>
</form>
${
  v.oidcLabel &&
  html`<p>${msg(L).auth.or}</p><p><a class="button secondary" href="/auth/oidc/start?next=${encodeURIComponent(v.next)}">${msg(L).auth.signInWith} ${v.oidcLabel}</a></p>`
}
</div>`;
  return renderPage({ title: msg(L).auth.signIn, user: null, body, lang: L, path: "/login" });
}
