import type { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import {
  createGroup,
  listAdminGroups,
  mergeGroups,
  renameGroup,
  setGroupHidden,
  type AdminGroup,
} from "../../organizations/groups.js";
import { html, type Html } from "../html.js";
import { msg, type Lang } from "../i18n.js";
import { csrfField, parseForm } from "./form.js";
import { adminKit, formBody, idParam, type AdminSection } from "./kit.js";

/**
 * Svarsgrupper: create, rename, hide/show, merge two. Sampling and calling
 * hours per group stay on the settings page.
 */
const name = z.string().trim().min(1).max(120);
const createForm = z.object({
  key: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[A-Za-z0-9._-]+$/),
  name,
});
const renameForm = z.object({ name });
const mergeForm = z.object({ intoId: z.string().uuid() });
function groupRow(g: AdminGroup, live: AdminGroup[], csrf: string, L: Lang): Html {
  const others = live.filter((o) => o.id !== g.id);
  const status = g.hiddenAt
    ? html`<span class="badge few">${msg(L).admin.hidden}</span>`
    : html`<span class="badge ok">${msg(L).admin.visible}</span>`;
  return html`<tr>
<td data-label="${msg(L).admin.name}"><form method="post" action="/admin/groups/${g.id}/rename" class="row-form">${csrfField(csrf)}<label for="gn-${g.id}" class="visually-hidden">${msg(L).admin.nameOf} ${g.key}</label><input id="gn-${g.id}" name="name" required maxlength="120" value="${g.name}"><button type="submit" class="secondary">${msg(L).admin.rename}<span class="visually-hidden"> ${g.name}</span></button></form></td>
<td data-label="${msg(L).admin.key}"><code>${g.key}</code></td>
<td data-label="${msg(L).admin.status}">${status}</td>
<td data-label="${msg(L).admin.hideOrShow}"><form method="post" action="/admin/groups/${g.id}/${g.hiddenAt ? "show" : "hide"}" class="inline">${csrfField(csrf)}<button type="submit" class="secondary">${g.hiddenAt ? msg(L).admin.show : msg(L).admin.hide}<span class="visually-hidden"> ${g.name}</span></button></form></td>
<td data-label="${msg(L).admin.merge}">${
    others.length
      ? html`<form method="post" action="/admin/groups/${g.id}/merge" class="row-form">${csrfField(csrf)}<label for="gm-${g.id}" class="visually-hidden">${msg(L).admin.merge} ${g.name} ${msg(L).admin.into}</label><select id="gm-${g.id}" name="intoId">${others.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select><button type="submit" class="secondary">${msg(L).admin.merge}<span class="visually-hidden"> ${g.name}</span></button></form>`
      : "–"
  }</td></tr>`;
}

export function groupRoutes(ctx: AppContext, r: Router): void {
  const kit = adminKit(ctx, r);
  const section: AdminSection = {
    key: "groups",
    title: (L) => msg(L).admin.svarsgrupper,
    async content(_req, v) {
      const L = v.lang;
      const all = await listAdminGroups(ctx.prisma, v.organizationId);
      const live = all.filter((g) => !g.mergedIntoId);
      const merged = all.filter((g) => g.mergedIntoId);
      const nameOf = new Map(all.map((g) => [g.id, g.name]));
      return html`<p class="lead">${msg(L).admin.hiddenGroupLeavesComparisons}</p>
<div class="table-wrap" tabindex="0"><table class="stack"><caption>${msg(L).admin.svarsgrupper}</caption>
<thead><tr><th scope="col">${msg(L).admin.name}</th><th scope="col">${msg(L).admin.key}</th><th scope="col">${msg(L).admin.status}</th><th scope="col">${msg(L).admin.hideOrShow}</th><th scope="col">${msg(L).admin.mergeInto}</th></tr></thead>
<tbody>${live.length ? live.map((g) => groupRow(g, live, v.csrf, L)) : html`<tr><td colspan="5">${msg(L).admin.noSvarsgrupperYet}</td></tr>`}</tbody></table></div>
${
  merged.length
    ? html`<h2>${msg(L).admin.merged}</h2><ul>${merged.map((g) => html`<li><code>${g.key}</code> (${g.name}) → ${nameOf.get(g.mergedIntoId!) ?? "–"}</li>`)}</ul>`
    : ""
}
<form method="post" action="/admin/groups" class="card">${csrfField(v.csrf)}
<h2>${msg(L).admin.newSvarsgrupp}</h2>
<div class="grid">
<div><label for="g-key">${msg(L).admin.keyInTelephonySystem}</label><p class="hint" id="g-key-hint">${msg(L).admin.asTelephonySystemSends}</p><input id="g-key" name="key" required maxlength="60" autocomplete="off" aria-describedby="g-key-hint"></div>
<div><label for="g-name">${msg(L).admin.name}</label><input id="g-name" name="name" required maxlength="120" autocomplete="off"></div>
</div>
<p><button type="submit">${msg(L).admin.createSvarsgrupp}</button></p>
</form>`;
    },
  };

  r.get("/admin/groups", kit.admin, (req, res, next) => kit.render(req, res, section).catch(next));
  const back = "/admin/groups?saved=1";

  kit.post("/admin/groups", section, async (req, v) => {
    const f = parseForm(createForm, formBody(req), msg(v.lang).admin.fields.group, v.lang);
    const g = await createGroup(ctx.prisma, v.organizationId, f);
    await kit.audit(req, {
      action: "group.create",
      targetType: "group",
      targetId: g.id,
      detail: { key: g.key, name: g.name },
    });
    return back;
  });
  kit.post("/admin/groups/:id/rename", section, async (req, v) => {
    const f = parseForm(renameForm, formBody(req), msg(v.lang).admin.fields.group, v.lang);
    const { before, after } = await renameGroup(ctx.prisma, v.organizationId, idParam(req), f.name);
    if (before.name !== after.name)
      await kit.audit(req, {
        action: "group.rename",
        targetType: "group",
        targetId: after.id,
        detail: { from: before.name, to: after.name },
      });
    return back;
  });
  for (const verb of ["hide", "show"] as const)
    kit.post(`/admin/groups/:id/${verb}`, section, async (req, v) => {
      const g = await setGroupHidden(ctx.prisma, v.organizationId, idParam(req), verb === "hide", ctx.now());
      await kit.audit(req, { action: `group.${verb}`, targetType: "group", targetId: g.id, detail: { name: g.name } });
      return back;
    });
  kit.post("/admin/groups/:id/merge", section, async (req, v) => {
    const L = v.lang;
    const f = parseForm(mergeForm, formBody(req), msg(L).admin.fields.group, L);
    const id = idParam(req);
    if (formBody(req).confirm !== "yes") {
      // A merge cannot be undone: the first press only asks.
      const groups = await listAdminGroups(ctx.prisma, v.organizationId);
      const from = groups.find((g) => g.id === id && !g.mergedIntoId);
      const into = groups.find((g) => g.id === f.intoId && !g.mergedIntoId);
      if (!from || !into || from.id === into.id)
        await mergeGroups(ctx.prisma, v.organizationId, id, f.intoId, ctx.now());
      return html`<form method="post" action="/admin/groups/${id}/merge" class="card" role="alert">${csrfField(v.csrf)}<input type="hidden" name="intoId" value="${f.intoId}"><input type="hidden" name="confirm" value="yes">
<h2>${msg(L).admin.merge} ${from?.name ?? ""} ${msg(L).admin.into} ${into?.name ?? ""}?</h2>
<p>${msg(L).admin.allAnswersSurveysCalls}</p>
<p><button type="submit">${msg(L).admin.yesMerge}</button> <a href="/admin/groups">${msg(L).admin.cancel}</a></p></form>`;
    }
    const m = await mergeGroups(ctx.prisma, v.organizationId, id, f.intoId, ctx.now());
    await kit.audit(req, {
      action: "group.merge",
      targetType: "group",
      targetId: m.into.id,
      detail: {
        from: { id: m.from.id, key: m.from.key, name: m.from.name },
        into: { key: m.into.key, name: m.into.name },
        moved: m.moved,
      },
    });
    return back;
  });
}
