import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { csrfToken, requireCsrf, requireUser } from "../../auth/middleware.js";
import { createUser, listUsers, updateUser } from "../../auth/users.js";
import { destroyUserSessions } from "../../auth/sessions.js";
import { audit, listAudit } from "../../audit/log.js";
import { AppError } from "../../lib/errors.js";
import { asyncHandler } from "../../lib/http.js";
import { getOrganization } from "../../organizations/service.js";
import { renderPage } from "../layout.js";
import { html, toDocument, type Html } from "../html.js";
import { langOf, tr } from "../i18n.js";
import { nextCallingWindows } from "../../intake/calling-hours-form.js";
import { adminTabs, flash, groupsTable, settingsForm } from "./pages.js";
import { auditPage, targetsPage, usersPage } from "./lists.js";
import {
  addTarget,
  deleteTarget,
  listGroups,
  listTargets,
  updateGroup,
  updateOrgSettings,
  type Actor,
} from "./config-service.js";

type Section = "settings" | "targets" | "users" | "audit";

/**
 * Admin pages: settings and svarsgrupper, targets, users, audit log. Every
 * POST is CSRF-checked, validated by the service's zod schema and audited;
 * a validation error re-renders the page with the message (status 400).
 */
export function adminRouter(ctx: AppContext): Router {
  const r = Router();
  const admin = requireUser(ctx, ["admin"]);
  const form = express.urlencoded({ extended: false, limit: "50kb" });
  const actor = (req: Request): Actor => ({
    organizationId: req.user!.organizationId,
    userId: req.user!.id,
    ip: req.ip,
  });

  async function render(req: Request, res: Response, section: Section, opts: { error?: string; status?: number } = {}) {
    const L = langOf(req);
    const orgId = req.user!.organizationId;
    const csrf = csrfToken(req);
    let content: Html;
    let title: string;
    if (section === "settings") {
      const org = await getOrganization(ctx.prisma, orgId);
      title = tr(L, "Inställningar och svarsgrupper", "Settings and svarsgrupper");
      const groups = await listGroups(ctx.prisma, orgId);
      const preview = nextCallingWindows(
        ctx.now(),
        {
          callingHours: org.settings.callingHours,
          skipPublicHolidays: org.settings.skipPublicHolidays,
          timeZone: org.timeZone,
        },
        5,
      );
      content = html`${settingsForm(org.settings, csrf, L, [], preview, org.timeZone)}<h2>${tr(L, "Svarsgrupper", "Svarsgrupper")}</h2>${groupsTable(groups, csrf, L)}`;
    } else if (section === "targets") {
      title = tr(L, "Mål", "Targets");
      content = targetsPage(await listTargets(ctx.prisma, orgId), csrf, L, ctx.now().toISOString().slice(0, 10));
    } else if (section === "users") {
      title = tr(L, "Användare", "Users");
      const agents = await ctx.prisma.agent.findMany({
        where: { organizationId: orgId },
        orderBy: { externalId: "asc" },
        select: { id: true, externalId: true, name: true },
      });
      content = usersPage(await listUsers(ctx.prisma, orgId), agents, csrf, L, req.user!.id);
    } else {
      title = tr(L, "Granskningslogg", "Audit log");
      const before =
        typeof req.query.before === "string" && !Number.isNaN(Date.parse(req.query.before))
          ? new Date(req.query.before)
          : undefined;
      const org = await getOrganization(ctx.prisma, orgId);
      content = auditPage(await listAudit(ctx.prisma, orgId, { limit: 100, before }), L, org.timeZone);
    }
    const body = html`<h1>${title}</h1>${adminTabs(section, L)}${flash(L, { saved: req.query.saved === "1", error: opts.error })}${content}`;
    res
      .status(opts.status ?? 200)
      .type("html")
      .send(
        toDocument(
          renderPage({
            title,
            user: req.user!,
            active: section === "audit" ? "audit" : "admin",
            body,
            lang: L,
            csrfToken: csrf,
            path: req.originalUrl,
          }),
        ),
      );
  }

  const page = (section: Section) => asyncHandler((req, res) => render(req, res, section));
  r.get("/admin", admin, page("settings"));
  r.get("/admin/targets", admin, page("targets"));
  r.get("/admin/users", admin, page("users"));
  r.get("/admin/audit", admin, page("audit"));

  /** Runs a change; on a validation error shows the same page again with the message. */
  const change = (section: Section, back: string, fn: (req: Request) => Promise<unknown>) =>
    asyncHandler(async (req, res) => {
      try {
        await fn(req);
      } catch (err) {
        if (err instanceof AppError && ["validation_failed", "conflict", "bad_request"].includes(err.code)) {
          return render(req, res, section, { error: err.userMessage ?? err.message, status: err.status });
        }
        throw err;
      }
      res.redirect(303, `${back}?saved=1`);
    });
  const post = (path: string, section: Section, back: string, fn: (req: Request) => Promise<unknown>) =>
    r.post(path, admin, form, requireCsrf, change(section, back, fn));
  const body = (req: Request) => req.body as Record<string, string>;
  const uuid = z.string().uuid();
  const id = (req: Request) => {
    const p = uuid.safeParse(req.params.id);
    if (!p.success) throw new AppError("not_found", "No such item");
    return p.data;
  };

  post("/admin/settings", "settings", "/admin", (req) =>
    updateOrgSettings(ctx.prisma, actor(req), {
      ...(req.body as Record<string, string | string[]>),
      skipPublicHolidays: body(req).skipPublicHolidays === "on",
      nkiIncludeRecommend: body(req).nkiIncludeRecommend === "on",
    }),
  );
  post("/admin/groups/:id", "settings", "/admin", (req) =>
    updateGroup(ctx.prisma, actor(req), id(req), body(req) as never),
  );
  post("/admin/targets", "targets", "/admin/targets", (req) => addTarget(ctx.prisma, actor(req), body(req)));
  post("/admin/targets/:id/delete", "targets", "/admin/targets", (req) =>
    deleteTarget(ctx.prisma, actor(req), id(req)),
  );
  post("/admin/users", "users", "/admin/users", async (req) => {
    const b = body(req);
    const user = await createUser(ctx.prisma, {
      organizationId: req.user!.organizationId,
      email: b.email ?? "",
      name: b.name ?? "",
      role: b.role as never,
      agentId: b.agentId || null,
      password: b.password || null,
    });
    await audit(ctx.prisma, {
      ...auditBase(req),
      action: "user.create",
      targetType: "user",
      targetId: user.id,
      detail: { email: user.email, role: user.role, agentId: user.agentId },
    });
  });
  for (const verb of ["disable", "enable"] as const) {
    post(`/admin/users/:id/${verb}`, "users", "/admin/users", async (req) => {
      const target = id(req);
      if (target === req.user!.id)
        throw new AppError(
          "bad_request",
          tr(langOf(req), "Du kan inte stänga av dig själv.", "You cannot disable yourself."),
        );
      await updateUser(ctx.prisma, req.user!.organizationId, target, { disabled: verb === "disable" });
      if (verb === "disable") await destroyUserSessions(ctx.prisma, target);
      await audit(ctx.prisma, { ...auditBase(req), action: `user.${verb}`, targetType: "user", targetId: target });
    });
  }
  return r;
}

const auditBase = (req: Request) => ({
  organizationId: req.user!.organizationId,
  actorUserId: req.user!.id,
  ip: req.ip,
});
