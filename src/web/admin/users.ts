import type { Request, Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { createPasswordReset, RESET_LINK_HOURS } from "../../auth/password-reset.js";
import { changeUser, signOutEverywhere } from "../../auth/user-admin.js";
import { createUser, listUsers } from "../../auth/users.js";
import { MIN_PASSWORD_LENGTH } from "../../auth/passwords.js";
import { AppError } from "../../lib/errors.js";
import { html, type Html } from "../html.js";
import { msg, type Lang } from "../i18n.js";
import { csrfField, fmtWhen, parseForm } from "./form.js";
import { adminKit, formBody, idParam, type AdminSection, type AdminView } from "./kit.js";

/**
 * Users: the list (a stacked table on phones), a page per user to edit name,
 * role and agent link, disable or enable, make a one-time password-reset link
 * (shown once; the admin never knows the password) and sign out everywhere.
 * The last active administrator cannot be demoted or disabled (auth/user-admin.ts).
 */
const editForm = z
  .object({
    name: z.string().trim().min(1).max(120),
    role: z.enum(["admin", "manager", "agent"]),
    agentId: z.union([z.literal(""), z.string().uuid()]),
  })
  .superRefine((u, c) => {
    if (u.role === "agent" && !u.agentId) c.addIssue({ code: "custom", path: ["agentId"], message: "agent_required" });
    if (u.role !== "agent" && u.agentId) c.addIssue({ code: "custom", path: ["agentId"], message: "agent_forbidden" });
  });
const newForm = z
  .object({
    name: z.string().trim().min(1).max(120),
    email: z.string().trim().toLowerCase().email().max(254),
    role: z.enum(["admin", "manager", "agent"]),
    agentId: z.union([z.literal(""), z.string().uuid()]),
    password: z.union([z.literal(""), z.string().min(MIN_PASSWORD_LENGTH).max(256)]),
  })
  .superRefine((u, c) => {
    if (u.role === "agent" && !u.agentId) c.addIssue({ code: "custom", path: ["agentId"], message: "agent_required" });
    if (u.role !== "agent" && u.agentId) c.addIssue({ code: "custom", path: ["agentId"], message: "agent_forbidden" });
  });
export const roleName = (L: Lang, r: string) =>
  ({
    admin: msg(L).admin.administrator,
    manager: msg(L).admin.unitManager,
    agent: msg(L).admin.agent,
  })[r] ?? r;

type Agents = { id: string; externalId: string; name: string | null }[];

const agentOptions = (agents: Agents, selected: string | null) =>
  html`<option value="">–</option>${agents.map((a) => html`<option value="${a.id}"${a.id === selected ? html` selected` : ""}>${a.name ?? a.externalId} (${a.externalId})</option>`)}`;

function listContent(users: Awaited<ReturnType<typeof listUsers>>, agents: Agents, v: AdminView): Html {
  const L = v.lang;
  const rows = users.map(
    (u) => html`<tr>
<td data-label="${msg(L).admin.name}"><a href="/admin/users/${u.id}">${u.name}</a>${u.id === v.userId ? html` <span class="muted">${msg(L).admin.you}</span>` : ""}<br><span class="muted break">${u.email}</span></td>
<td data-label="${msg(L).admin.role}">${roleName(L, u.role)}</td>
<td data-label="${msg(L).admin.agent2}">${u.agent ? (u.agent.name ?? u.agent.externalId) : "–"}</td>
<td data-label="${msg(L).admin.status}">${u.disabledAt ? html`<span class="badge bad">${msg(L).admin.disabled}</span>` : html`<span class="badge ok">${msg(L).admin.active}</span>`}</td>
<td data-label="${msg(L).admin.action}"><a href="/admin/users/${u.id}">${msg(L).admin.edit}<span class="visually-hidden"> ${u.name}</span></a></td></tr>`,
  );
  return html`<div class="table-wrap" tabindex="0"><table class="stack"><caption>${msg(L).admin.users}</caption>
<thead><tr><th scope="col">${msg(L).admin.name}</th><th scope="col">${msg(L).admin.role}</th><th scope="col">${msg(L).admin.agent2}</th><th scope="col">${msg(L).admin.status}</th><th scope="col"><span class="visually-hidden">${msg(L).admin.action}</span></th></tr></thead>
<tbody>${rows}</tbody></table></div>
<form method="post" action="/admin/users" class="card">${csrfField(v.csrf)}
<h2>${msg(L).admin.newUser}</h2>
<div class="grid">
<div><label for="u-name">${msg(L).admin.name}</label><input id="u-name" name="name" required autocomplete="off"></div>
<div><label for="u-email">${msg(L).admin.eMailAddress}</label><input id="u-email" name="email" type="email" required autocomplete="off"></div>
<div><label for="u-role">${msg(L).admin.role}</label><select id="u-role" name="role"><option value="agent">${roleName(L, "agent")}</option><option value="manager">${roleName(L, "manager")}</option><option value="admin">${roleName(L, "admin")}</option></select></div>
<div><label for="u-agent">${msg(L).admin.agentIdInTelephony}</label><select id="u-agent" name="agentId">${agentOptions(agents, null)}</select></div>
<div><label for="u-pw">${msg(L).admin.passwordAtLeast12}</label><input id="u-pw" name="password" type="password" autocomplete="new-password" minlength="12"></div>
</div>
<p><button type="submit">${msg(L).admin.createUser}</button></p>
</form>`;
}

export function userRoutes(ctx: AppContext, r: Router): void {
  const kit = adminKit(ctx, r);
  const agentsOf = (orgId: string) =>
    ctx.prisma.agent.findMany({
      where: { organizationId: orgId },
      orderBy: { externalId: "asc" },
      select: { id: true, externalId: true, name: true },
    });

  const list: AdminSection = {
    key: "users",
    title: (L) => msg(L).admin.users,
    content: async (_req, v) =>
      listContent(await listUsers(ctx.prisma, v.organizationId), await agentsOf(v.organizationId), v),
  };

  async function target(req: Request, v: AdminView) {
    const u = await ctx.prisma.user.findFirst({
      where: { id: idParam(req), organizationId: v.organizationId },
      select: {
        id: true,
        name: true,
        email: true,
        role: true,
        agentId: true,
        disabledAt: true,
        passwordHash: true,
        oidcSubject: true,
      },
    });
    if (!u) throw new AppError("not_found", "No such user", undefined, msg(v.lang).admin.noSuchUser);
    return u;
  }

  const one: AdminSection = {
    key: "users",
    title: (L) => msg(L).admin.editUser,
    async content(req, v) {
      const L = v.lang;
      const u = await target(req, v);
      const sessions = await ctx.prisma.session.count({ where: { userId: u.id, expiresAt: { gt: ctx.now() } } });
      const own = u.id === v.userId;
      const action = (verb: string, label: string, hint: string) =>
        html`<form method="post" action="/admin/users/${u.id}/${verb}" class="card">${csrfField(v.csrf)}<p class="hint">${hint}</p><button type="submit" class="secondary">${label}</button></form>`;
      return html`<p><a href="/admin/users">← ${msg(L).admin.allUsers}</a></p>
<h2>${u.name} <span class="muted break">${u.email}</span></h2>
<form method="post" action="/admin/users/${u.id}" class="card">${csrfField(v.csrf)}
<div class="grid">
<div><label for="e-name">${msg(L).admin.name}</label><input id="e-name" name="name" required maxlength="120" value="${u.name}"></div>
<div><label for="e-role">${msg(L).admin.role}</label><select id="e-role" name="role">${(["agent", "manager", "admin"] as const).map((r) => html`<option value="${r}"${r === u.role ? html` selected` : ""}>${roleName(L, r)}</option>`)}</select></div>
<div><label for="e-agent">${msg(L).admin.agentIdInTelephony2}</label><select id="e-agent" name="agentId">${agentOptions(await agentsOf(v.organizationId), u.agentId)}</select></div>
</div>
<p><button type="submit">${msg(L).admin.save}</button></p>
</form>
<h2>${msg(L).admin.access}</h2>
<p>${u.disabledAt ? html`<span class="badge bad">${msg(L).admin.disabled}</span>` : html`<span class="badge ok">${msg(L).admin.active}</span>`} ${msg(L).admin.signedInOn} ${sessions} ${sessions === 1 ? msg(L).admin.device : msg(L).admin.devices}.</p>
<div class="grid">
${
  own
    ? ""
    : u.disabledAt
      ? action("enable", msg(L).admin.enableAccount, msg(L).admin.userCanSignIn)
      : action("disable", msg(L).admin.disableAccount, msg(L).admin.userIsSignedOut)
}
${action("reset-link", msg(L).admin.makePasswordResetLink, msg(L).admin.linkValidForHours(RESET_LINK_HOURS))}
${action("sign-out", msg(L).admin.signOutEverywhere, msg(L).admin.endsEverySessionOf)}
</div>`;
    },
  };

  r.get("/admin/users/:id", kit.admin, (req, res, next) => kit.render(req, res, one).catch(next));
  const back = (req: Request) => `/admin/users/${idParam(req)}?saved=1`;

  kit.post("/admin/users/:id", one, async (req, v) => {
    const f = parseForm(editForm, formBody(req), msg(v.lang).admin.fields.user, v.lang);
    const { before, after } = await changeUser(ctx.prisma, v.organizationId, idParam(req), {
      name: f.name,
      role: f.role,
      agentId: f.agentId || null,
    });
    const detail: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ["name", "role", "agentId"] as const)
      if (before[k] !== after[k]) detail[k] = { from: before[k], to: after[k] };
    if (Object.keys(detail).length)
      await kit.audit(req, { action: "user.update", targetType: "user", targetId: after.id, detail });
    return back(req);
  });
  for (const verb of ["disable", "enable"] as const)
    kit.post(`/admin/users/:id/${verb}`, one, async (req, v) => {
      const id = idParam(req);
      if (id === v.userId)
        throw new AppError(
          "bad_request",
          "Cannot disable yourself",
          undefined,
          msg(v.lang).admin.youCannotDisableYourself,
        );
      await changeUser(ctx.prisma, v.organizationId, id, { disabled: verb === "disable" });
      await kit.audit(req, { action: `user.${verb}`, targetType: "user", targetId: id });
      return back(req);
    });
  kit.post("/admin/users/:id/sign-out", one, async (req, v) => {
    const id = idParam(req);
    const sessions = await signOutEverywhere(ctx.prisma, v.organizationId, id);
    await kit.audit(req, {
      action: "user.sign-out-everywhere",
      targetType: "user",
      targetId: id,
      detail: { sessions },
    });
    // Signing oneself out everywhere ends this session too.
    return id === v.userId ? "/login" : back(req);
  });
  kit.post("/admin/users/:id/reset-link", one, async (req, v) => {
    const L = v.lang;
    const u = await target(req, v);
    const { token, expiresAt } = await createPasswordReset(ctx.prisma, u.id, ctx.now());
    await kit.audit(req, {
      action: "user.password-reset-link",
      targetType: "user",
      targetId: u.id,
      detail: { expiresAt },
    });
    const link = `${ctx.config.publicBaseUrl}/reset-password?token=${token}`;
    return html`<div class="card secret" role="status"><h2>${msg(L).admin.passwordResetLink}</h2>
<p>${msg(L).admin.sendLinkTo} ${u.name}. ${msg(L).admin.itIsShownOnly} ${fmtWhen(L, v.timeZone, expiresAt)}.</p>
<p><label for="reset-link">${msg(L).admin.link}</label><input id="reset-link" readonly value="${link}"></p></div>`;
  });
  r.get("/admin/users", kit.admin, (req, res, next) => kit.render(req, res, list).catch(next));
  kit.post("/admin/users", list, async (req, v) => {
    const f = parseForm(newForm, formBody(req), msg(v.lang).admin.fields.user, v.lang);
    const user = await createUser(ctx.prisma, {
      organizationId: v.organizationId,
      email: f.email,
      name: f.name,
      role: f.role,
      agentId: f.agentId || null,
      password: f.password || null,
    });
    await kit.audit(req, {
      action: "user.create",
      targetType: "user",
      targetId: user.id,
      detail: { email: user.email, role: user.role, agentId: user.agentId },
    });
    return "/admin/users?saved=1";
  });
}
