import express, { Router } from "express";
import type { AppContext } from "../../context.js";
import { findPasswordReset, usePasswordReset } from "../../auth/password-reset.js";
import { csrfToken, requireCsrf } from "../../auth/middleware.js";
import { audit } from "../../audit/log.js";
import { AppError } from "../../lib/errors.js";
import { html, toDocument } from "../html.js";
import { langOf, msg, type Lang } from "../i18n.js";
import { renderPage } from "../layout.js";

/**
 * The page a one-time password-reset link opens (made by an administrator on
 * the user's admin page): choose a new password. The token travels in the
 * query on GET and in a hidden field on POST; an unknown, used or expired
 * link gets the same answer.
 */
function page(
  L: Lang,
  o: { csrf: string; token: string; name?: string; error?: string; gone?: boolean; status?: number },
) {
  const body = o.gone
    ? html`<div class="narrow"><h1>${msg(L).auth.newPassword}</h1><p class="error" role="alert">${msg(L).auth.linkWasAlreadyUsed}</p><p><a href="/login">${msg(L).auth.toSignIn}</a></p></div>`
    : html`<div class="narrow"><h1>${msg(L).auth.newPassword}</h1>
${o.name ? html`<p class="lead">${msg(L).auth.for} ${o.name}</p>` : ""}
${o.error ? html`<p class="error" role="alert" id="pw-error">${o.error}</p>` : ""}
<form method="post" action="/reset-password" class="card"><input type="hidden" name="_csrf" value="${o.csrf}"><input type="hidden" name="token" value="${o.token}">
<label for="pw">${msg(L).auth.newPasswordAtLeast}</label><input id="pw" name="password" type="password" autocomplete="new-password" minlength="12" required${o.error ? html` aria-describedby="pw-error" aria-invalid="true"` : ""}>
<label for="pw2">${msg(L).auth.samePasswordAgain}</label><input id="pw2" name="password2" type="password" autocomplete="new-password" minlength="12" required>
<p><button type="submit">${msg(L).auth.savePassword}</button></p></form></div>`;
  return toDocument(renderPage({ title: msg(L).auth.newPassword, user: null, body, lang: L, path: "/reset-password" }));
}

export function resetPasswordRouter(ctx: AppContext): Router {
  const r = Router();
  const noStore = (res: express.Response) => res.set({ "Cache-Control": "no-store" });
  r.get("/reset-password", async (req, res) => {
    const L = langOf(req);
    const token = typeof req.query.token === "string" ? req.query.token : "";
    const found = await findPasswordReset(ctx.prisma, token, ctx.now());
    noStore(res)
      .status(found ? 200 : 400)
      .type("html")
      .send(page(L, { csrf: csrfToken(req), token, name: found?.user.name, gone: !found }));
  });
  r.post("/reset-password", express.urlencoded({ extended: false, limit: "10kb" }), requireCsrf, async (req, res) => {
    const L = langOf(req);
    const b = (req.body ?? {}) as Record<string, string>;
    const token = String(b.token ?? "");
    const again = (error: string) =>
      noStore(res)
        .status(400)
        .type("html")
        .send(page(L, { csrf: csrfToken(req), token, error }));
    if (String(b.password ?? "") !== String(b.password2 ?? "")) return again(msg(L).auth.samePasswordAgainPasswords);
    try {
      const user = await usePasswordReset(ctx.prisma, token, String(b.password ?? ""), ctx.now());
      await audit(ctx.prisma, {
        organizationId: user.organizationId,
        actorUserId: user.id,
        action: "user.password-reset",
        targetType: "user",
        targetId: user.id,
        ip: req.ip,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === "validation_failed") return again(msg(L).auth.newPassword12To);
      if (err instanceof AppError && err.code === "bad_request")
        return noStore(res)
          .status(400)
          .type("html")
          .send(page(L, { csrf: csrfToken(req), token: "", gone: true }));
      throw err;
    }
    res.redirect(303, "/login?reset=1");
  });
  return r;
}
