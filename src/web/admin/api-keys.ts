import type { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../intake/api-keys.js";
import { AppError } from "../../lib/errors.js";
import { html } from "../html.js";
import { tr } from "../i18n.js";
import { csrfField, fmtWhen, parseForm } from "./form.js";
import { adminKit, formBody, idParam, type AdminSection } from "./kit.js";

/**
 * API keys of the intake API (the telephony system's connection): create (the
 * secret is shown once and only its hash is kept), list with prefix, created
 * and last use, revoke. Last use is written at most once a minute per key
 * (intake/api-keys.ts).
 */
const keyForm = z.object({ name: z.string().trim().min(1).max(80) });
const LABELS = { name: ["Namn", "Name"] } as const;

export function apiKeyRoutes(ctx: AppContext, r: Router): void {
  const kit = adminKit(ctx, r);
  const section: AdminSection = {
    key: "api-keys",
    title: (L) => tr(L, "API-nycklar", "API keys"),
    async content(_req, v) {
      const L = v.lang;
      const keys = await listApiKeys(ctx.prisma, v.organizationId);
      const when = (d: Date | null) => fmtWhen(L, v.timeZone, d);
      const rows = keys.map(
        (k) => html`<tr>
<td data-label="${tr(L, "Namn", "Name")}">${k.name}</td>
<td data-label="${tr(L, "Början", "Prefix")}"><code>${k.prefix}…</code></td>
<td data-label="${tr(L, "Skapad", "Created")}">${when(k.createdAt)}</td>
<td data-label="${tr(L, "Senast använd", "Last used")}">${k.lastUsedAt ? when(k.lastUsedAt) : tr(L, "aldrig", "never")}</td>
<td data-label="${tr(L, "Status", "Status")}">${k.revokedAt ? html`<span class="badge bad">${tr(L, "Återkallad", "Revoked")} ${when(k.revokedAt)}</span>` : html`<span class="badge ok">${tr(L, "Aktiv", "Active")}</span>`}</td>
<td data-label="${tr(L, "Åtgärd", "Action")}">${
          k.revokedAt
            ? ""
            : html`<form method="post" action="/admin/api-keys/${k.id}/revoke" class="inline">${csrfField(v.csrf)}<button type="submit" class="secondary">${tr(L, "Återkalla", "Revoke")} <span class="visually-hidden">${k.name}</span></button></form>`
        }</td></tr>`,
      );
      return html`<p class="lead">${tr(L, "Telefonisystemet rapporterar avslutade samtal med en API-nyckel. En återkallad nyckel slutar fungera inom tio sekunder.", "The telephony system reports completed calls with an API key. A revoked key stops working within ten seconds.")}</p>
<div class="table-wrap" tabindex="0"><table class="stack"><caption>${tr(L, "API-nycklar", "API keys")}</caption>
<thead><tr><th scope="col">${tr(L, "Namn", "Name")}</th><th scope="col">${tr(L, "Början", "Prefix")}</th><th scope="col">${tr(L, "Skapad", "Created")}</th><th scope="col">${tr(L, "Senast använd", "Last used")}</th><th scope="col">${tr(L, "Status", "Status")}</th><th scope="col"><span class="visually-hidden">${tr(L, "Åtgärd", "Action")}</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6">${tr(L, "Inga API-nycklar ännu.", "No API keys yet.")}</td></tr>`}</tbody></table></div>
<form method="post" action="/admin/api-keys" class="card">${csrfField(v.csrf)}
<h2>${tr(L, "Ny API-nyckel", "New API key")}</h2>
<label for="k-name">${tr(L, "Namn", "Name")}</label><p class="hint" id="k-name-hint">${tr(L, "Vad nyckeln används till, t.ex. ”Telefonisystemet, produktion”.", "What the key is for, e.g. “Telephony system, production”.")}</p>
<input id="k-name" name="name" required maxlength="80" autocomplete="off" aria-describedby="k-name-hint">
<p><button type="submit">${tr(L, "Skapa nyckel", "Create key")}</button></p>
</form>`;
    },
  };

  r.get("/admin/api-keys", kit.admin, (req, res, next) => kit.render(req, res, section).catch(next));

  kit.post("/admin/api-keys", section, async (req, v) => {
    const L = v.lang;
    const f = parseForm(keyForm, formBody(req), LABELS, L);
    const key = await createApiKey(ctx.prisma, v.organizationId, f.name);
    await kit.audit(req, {
      action: "api-key.create",
      targetType: "api-key",
      targetId: key.id,
      detail: { name: f.name, prefix: key.secret.slice(0, 8) },
    });
    return html`<div class="card secret" role="status"><h2>${tr(L, "Nyckeln är skapad", "The key was created")}</h2>
<p>${tr(L, "Kopiera nyckeln nu. Den visas bara den här gången; tjänsten sparar bara ett kontrollvärde.", "Copy the key now. It is shown this once; the service keeps only a check value.")}</p>
<p><label for="k-secret">${f.name}</label><input id="k-secret" readonly value="${key.secret}"></p></div>`;
  });

  kit.post("/admin/api-keys/:id/revoke", section, async (req, v) => {
    const id = idParam(req);
    if (!(await revokeApiKey(ctx.prisma, v.organizationId, id, ctx.now())))
      throw new AppError(
        "not_found",
        "No such live API key",
        undefined,
        tr(v.lang, "Nyckeln finns inte eller är redan återkallad.", "No such key, or it is already revoked."),
      );
    await kit.audit(req, { action: "api-key.revoke", targetType: "api-key", targetId: id });
    return "/admin/api-keys?saved=1";
  });
}
