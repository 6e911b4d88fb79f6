import { Router, type Request, type RequestHandler } from "express";
import type { AppContext } from "../../context.js";
import { listAudit } from "../../audit/log.js";
import { parseOrThrow } from "../../lib/errors.js";
import { getOrganization } from "../../organizations/service.js";
import { html } from "../html.js";
import { msg } from "../i18n.js";
import { adminKit, formBody, idParam, type AdminSection } from "./kit.js";
import { nextCallingWindows } from "../../intake/calling-hours-form.js";
import { groupsTable, settingsForm } from "./pages.js";
import { auditPage, targetsPage } from "./lists.js";
import { apiKeyRoutes } from "./api-keys.js";
import { groupRoutes } from "./groups.js";
import { userRoutes } from "./users.js";
import { flowRoutes } from "./flows.js";
import { resetPasswordRouter } from "../pages/reset-password.js";
import {
  groupFormSchema,
  addTarget,
  deleteTarget,
  listGroups,
  listTargets,
  updateGroup,
  updateOrgSettings,
  type Actor,
} from "./config-service.js";

/**
 * Admin pages: settings and svarsgrupper, targets, audit log; API keys,
 * svarsgrupper, users and flows have their own files (IT administration).
 * Every page is drawn by the one admin renderer (kit.ts); every POST is
 * CSRF-checked, validated by the service's zod schema and audited; a
 * validation error re-renders the page with the message (status 400).
 */
export function adminRouter(ctx: AppContext): Router {
  const r = Router();
  const kit = adminKit(ctx, r);
  const actor = (req: Request): Actor => ({
    organizationId: req.user!.organizationId,
    userId: req.user!.id,
    ip: req.ip,
  });

  const settings: AdminSection = {
    key: "settings",
    title: (L) => msg(L).admin.settingsAndSvarsgrupper,
    async content(_req, v) {
      const org = await getOrganization(ctx.prisma, v.organizationId);
      const windows = (s: { callingHours?: string; skipPublicHolidays?: boolean }, n: number) =>
        nextCallingWindows(
          ctx.now(),
          {
            callingHours: s.callingHours ?? org.settings.callingHours,
            skipPublicHolidays: s.skipPublicHolidays ?? org.settings.skipPublicHolidays,
            timeZone: org.timeZone,
          },
          n,
        );
      const groups = (await listGroups(ctx.prisma, v.organizationId)).map((g) => ({
        ...g,
        preview: windows(g.settings, 3),
      }));
      const preview = windows({}, 5);
      return html`${settingsForm(org.settings, v.csrf, v.lang, [], preview, org.timeZone)}<h2>${msg(v.lang).admin.svarsgrupper}</h2>${groupsTable(groups, v.csrf, v.lang, org)}`;
    },
  };
  const targets: AdminSection = {
    key: "targets",
    title: (L) => msg(L).admin.targets,
    content: async (_req, v) =>
      targetsPage(
        await listTargets(ctx.prisma, v.organizationId),
        v.csrf,
        v.lang,
        ctx.now().toISOString().slice(0, 10),
      ),
  };
  const auditLog: AdminSection = {
    key: "audit",
    active: "audit",
    title: (L) => msg(L).admin.auditLog,
    async content(req, v) {
      const before =
        typeof req.query.before === "string" && !Number.isNaN(Date.parse(req.query.before))
          ? new Date(req.query.before)
          : undefined;
      return auditPage(await listAudit(ctx.prisma, v.organizationId, { limit: 100, before }), v.lang, v.timeZone);
    },
  };

  const page =
    (section: AdminSection): RequestHandler =>
    (req, res) =>
      kit.render(req, res, section);
  r.get("/admin", kit.admin, page(settings));
  r.get("/admin/targets", kit.admin, page(targets));
  r.get("/admin/audit", kit.admin, page(auditLog));

  /** Runs a change, then back to the page with "saved"; a refused input shows the same page with the message. */
  const post = (path: string, section: AdminSection, back: string, fn: (req: Request) => Promise<unknown>) =>
    kit.post(path, section, async (req) => {
      await fn(req);
      return `${back}?saved=1`;
    });

  post("/admin/settings", settings, "/admin", (req) =>
    updateOrgSettings(ctx.prisma, actor(req), {
      ...(formBody(req) as Record<string, string | string[]>),
      skipPublicHolidays: formBody(req).skipPublicHolidays === "on",
      nkiIncludeRecommend: formBody(req).nkiIncludeRecommend === "on",
    }),
  );
  post("/admin/groups/:id", settings, "/admin", (req) =>
    updateGroup(
      ctx.prisma,
      actor(req),
      idParam(req),
      parseOrThrow(
        groupFormSchema,
        { ...formBody(req), skipPublicHolidays: formBody(req).skipPublicHolidays === "on" },
        "svarsgrupp",
      ),
    ),
  );
  post("/admin/targets", targets, "/admin/targets", (req) => addTarget(ctx.prisma, actor(req), formBody(req)));
  post("/admin/targets/:id/delete", targets, "/admin/targets", (req) =>
    deleteTarget(ctx.prisma, actor(req), idParam(req)),
  );
  apiKeyRoutes(ctx, r);
  groupRoutes(ctx, r);
  userRoutes(ctx, r);
  flowRoutes(ctx, r);
  r.use(resetPasswordRouter(ctx));
  return r;
}
