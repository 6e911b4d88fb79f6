import type { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../intake/api-keys.js";
import { AppError } from "../../lib/errors.js";
import { html } from "../html.js";
import { msg } from "../i18n.js";
import { csrfField, fmtWhen, parseForm } from "./form.js";
import { adminKit, formBody, idParam, type AdminSection } from "./kit.js";

/**
 * API keys of the intake API (the telephony system's connection): create (the
 * secret is shown once and only its hash is kept), list with prefix, created
 * and last use, revoke. Last use is written at most once a minute per key
 * (intake/api-keys.ts).
 */
const keyForm = z.object({ name: z.string().trim().min(1).max(80) });
export function apiKeyRoutes(ctx: AppContext, r: Router): void {
  const kit = adminKit(ctx, r);
  const section: AdminSection = {
    key: "api-keys",
    title: (L) => msg(L).admin.apiKeys,
    async content(_req, v) {
      const L = v.lang;
      const keys = await listApiKeys(ctx.prisma, v.organizationId);
      const when = (d: Date | null) => fmtWhen(L, v.timeZone, d);
      const rows = keys.map(
        (k) => html`<tr>
<td data-label="${msg(L).admin.name}">${k.name}</td>
<td data-label="${msg(L).admin.prefix}"><code>${k.prefix}…</code></td>
<td data-label="${msg(L).admin.created}">${when(k.createdAt)}</td>
<td data-label="${msg(L).admin.lastUsed}">${k.lastUsedAt ? when(k.lastUsedAt) : msg(L).admin.never}</td>
<td data-label="${msg(L).admin.status}">${k.revokedAt ? html`<span class="badge bad">${msg(L).admin.revoked} ${when(k.revokedAt)}</span>` : html`<span class="badge ok">${msg(L).admin.active}</span>`}</td>
<td data-label="${msg(L).admin.action}">${
          k.revokedAt
            ? ""
            : html`<form method="post" action="/admin/api-keys/${k.id}/revoke" class="inline">${csrfField(v.csrf)}<button type="submit" class="secondary">${msg(L).admin.revoke} <span class="visually-hidden">${k.name}</span></button></form>`
        }</td></tr>`,
      );
      return html`<p class="lead">${msg(L).admin.telephonySystemReportsCompleted}</p>
<div class="table-wrap" tabindex="0"><table class="stack"><caption>${msg(L).admin.apiKeys}</caption>
<thead><tr><th scope="col">${msg(L).admin.name}</th><th scope="col">${msg(L).admin.prefix}</th><th scope="col">${msg(L).admin.created}</th><th scope="col">${msg(L).admin.lastUsed}</th><th scope="col">${msg(L).admin.status}</th><th scope="col"><span class="visually-hidden">${msg(L).admin.action}</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6">${msg(L).admin.noApiKeysYet}</td></tr>`}</tbody></table></div>
<form method="post" action="/admin/api-keys" class="card">${csrfField(v.csrf)}
<h2>${msg(L).admin.newApiKey}</h2>
<label for="k-name">${msg(L).admin.name}</label><p class="hint" id="k-name-hint">${msg(L).admin.whatKeyIsFor}</p>
<input id="k-name" name="name" required maxlength="80" autocomplete="off" aria-describedby="k-name-hint">
<p><button type="submit">${msg(L).admin.createKey}</button></p>
</form>`;
    },
  };

  r.get("/admin/api-keys", kit.admin, (req, res, next) => kit.render(req, res, section).catch(next));

  kit.post("/admin/api-keys", section, async (req, v) => {
    const L = v.lang;
    const f = parseForm(keyForm, formBody(req), msg(L).admin.fields.apiKey, L);
    const key = await createApiKey(ctx.prisma, v.organizationId, f.name);
    await kit.audit(req, {
      action: "api-key.create",
      targetType: "api-key",
      targetId: key.id,
      detail: { name: f.name, prefix: key.secret.slice(0, 8) },
    });
    return html`<div class="card secret" role="status"><h2>${msg(L).admin.keyWasCreated}</h2>
<p>${msg(L).admin.copyKeyNowIt}</p>
<p><label for="k-secret">${f.name}</label><input id="k-secret" readonly value="${key.secret}"></p></div>`;
  });

  kit.post("/admin/api-keys/:id/revoke", section, async (req, v) => {
    const id = idParam(req);
    if (!(await revokeApiKey(ctx.prisma, v.organizationId, id, ctx.now())))
      throw new AppError("not_found", "No such live API key", undefined, msg(v.lang).admin.noSuchKeyOr);
    await kit.audit(req, { action: "api-key.revoke", targetType: "api-key", targetId: id });
    return "/admin/api-keys?saved=1";
  });
}
