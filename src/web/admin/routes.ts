import express, { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { csrfToken, requireCsrf, requireUser } from "../../auth/middleware.js";
import { listAudit } from "../../audit/log.js";
import { AppError, parseOrThrow } from "../../lib/errors.js";
import { getOrganization } from "../../organizations/service.js";
import { renderPage } from "../layout.js";
import { html, toDocument, type Html } from "../html.js";
import { langOf, msg } from "../i18n.js";
import { userText } from "./form.js";
import { nextCallingWindows } from "../../intake/calling-hours-form.js";
import { adminTabs, flash, groupsTable, settingsForm } from "./pages.js";
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

type Section = "settings" | "targets" | "audit";

/**
 * Admin pages: settings and svarsgrupper, targets, audit log; API keys,
 * svarsgrupper, users and flows have their own files (IT administration). Every
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
      title = msg(L).admin.settingsAndSvarsgrupper;
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
      const groups = (await listGroups(ctx.prisma, orgId)).map((g) => ({ ...g, preview: windows(g.settings, 3) }));
      const preview = windows({}, 5);
      content = html`${settingsForm(org.settings, csrf, L, [], preview, org.timeZone)}<h2>${msg(L).admin.svarsgrupper}</h2>${groupsTable(groups, csrf, L, org)}`;
    } else if (section === "targets") {
      title = msg(L).admin.targets;
      content = targetsPage(await listTargets(ctx.prisma, orgId), csrf, L, ctx.now().toISOString().slice(0, 10));
    } else {
      title = msg(L).admin.auditLog;
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

  const page =
    (section: Section): RequestHandler =>
    (req, res) =>
      render(req, res, section);
  r.get("/admin", admin, page("settings"));
  r.get("/admin/targets", admin, page("targets"));
  r.get("/admin/audit", admin, page("audit"));

  /** Runs a change; on a validation error shows the same page again with the message. */
  const change =
    (section: Section, back: string, fn: (req: Request) => Promise<unknown>): RequestHandler =>
    async (req, res) => {
      try {
        await fn(req);
      } catch (err) {
        if (err instanceof AppError && ["validation_failed", "conflict", "bad_request"].includes(err.code)) {
          return render(req, res, section, { error: userText(err, langOf(req)), status: err.status });
        }
        throw err;
      }
      res.redirect(303, `${back}?saved=1`);
    };
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
    updateGroup(
      ctx.prisma,
      actor(req),
      id(req),
      parseOrThrow(
        groupFormSchema,
        { ...(req.body as Record<string, unknown>), skipPublicHolidays: body(req).skipPublicHolidays === "on" },
        "svarsgrupp",
      ),
    ),
  );
  post("/admin/targets", "targets", "/admin/targets", (req) => addTarget(ctx.prisma, actor(req), body(req)));
  post("/admin/targets/:id/delete", "targets", "/admin/targets", (req) =>
    deleteTarget(ctx.prisma, actor(req), id(req)),
  );
  apiKeyRoutes(ctx, r);
  groupRoutes(ctx, r);
  userRoutes(ctx, r);
  flowRoutes(ctx, r);
  r.use(resetPasswordRouter(ctx));
  return r;
}
