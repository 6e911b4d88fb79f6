import express, { type Request, type RequestHandler, type Response } from "express";
import type { AppContext } from "../../context.js";
import { csrfToken, requireCsrf, requireUser } from "../../auth/middleware.js";
import { audit, type AuditInput } from "../../audit/log.js";
import { AppError } from "../../lib/errors.js";
import { getOrganization } from "../../organizations/service.js";
import { html, toDocument, type Html } from "../html.js";
import { langOf, type Lang } from "../i18n.js";
import { renderPage } from "../layout.js";
import { adminTabs, flash } from "./pages.js";
import { userText } from "./form.js";

/**
 * What the IT-admin pages (API keys, svarsgrupper, users, flows) share: the
 * admin guard, CSRF, one page shell with the admin tabs, and POST handlers
 * that redirect after success (303) or show the page again with a readable
 * message naming the field (400/409) when the input was refused.
 */
export interface AdminView {
  lang: Lang;
  csrf: string;
  timeZone: string;
  userId: string;
  organizationId: string;
}

export interface AdminSection {
  key: string;
  title: (L: Lang) => string;
  content: (req: Request, view: AdminView) => Promise<Html>;
  /** The main navigation's item to mark (the audit log has its own); "admin" when not given. */
  active?: "admin" | "audit";
}

export interface AdminKit {
  admin: RequestHandler;
  form: RequestHandler;
  /** Renders a section, optionally with an error or a one-time notice (e.g. a secret shown once). */
  render(
    req: Request,
    res: Response,
    section: AdminSection,
    o?: { error?: string; status?: number; once?: Html },
  ): Promise<void>;
  /** A POST: admin + form + CSRF; `fn` returns a redirect target or a one-time notice to show on the page. */
  post(path: string, section: AdminSection, fn: (req: Request, view: AdminView) => Promise<string | Html>): void;
  audit(req: Request, e: Omit<AuditInput, "organizationId" | "actorUserId" | "ip">): Promise<void>;
}

const SHOWN_ERRORS = new Set(["validation_failed", "conflict", "bad_request", "not_found"]);

export function adminKit(ctx: AppContext, router: express.Router): AdminKit {
  const admin = requireUser(ctx, ["admin"]);
  const form = express.urlencoded({ extended: false, limit: "50kb" });

  async function viewOf(req: Request): Promise<AdminView> {
    const org = await getOrganization(ctx.prisma, req.user!.organizationId);
    return {
      lang: langOf(req),
      csrf: csrfToken(req),
      timeZone: org.timeZone,
      userId: req.user!.id,
      organizationId: req.user!.organizationId,
    };
  }

  const kit: AdminKit = {
    admin,
    form,
    async render(req, res, section, o = {}) {
      const view = await viewOf(req);
      const L = view.lang;
      const title = section.title(L);
      const content = await section.content(req, view);
      const body = html`<h1>${title}</h1>${adminTabs(section.key, L)}${flash(L, { saved: !o.once && req.query.saved === "1", error: o.error })}${o.once ?? ""}${content}`;
      // A secret shown once must not stay in a cache.
      if (o.once) res.set("Cache-Control", "no-store");
      res
        .status(o.status ?? 200)
        .type("html")
        .send(
          toDocument(
            renderPage({
              title,
              user: req.user!,
              active: section.active ?? "admin",
              body,
              lang: L,
              csrfToken: view.csrf,
              path: req.originalUrl,
            }),
          ),
        );
    },
    post(path, section, fn) {
      router.post(path, admin, form, requireCsrf, async (req, res) => {
        let outcome: string | Html;
        try {
          outcome = await fn(req, await viewOf(req));
        } catch (err) {
          if (err instanceof AppError && SHOWN_ERRORS.has(err.code))
            return kit.render(req, res, section, { error: userText(err, langOf(req)), status: err.status });
          throw err;
        }
        if (typeof outcome === "string") res.redirect(303, outcome);
        else await kit.render(req, res, section, { once: outcome });
      });
    },
    audit: (req, e) =>
      audit(ctx.prisma, { ...e, organizationId: req.user!.organizationId, actorUserId: req.user!.id, ip: req.ip }),
  };
  return kit;
}

/** The route parameter `:id` as a UUID, or a 404 page. */
export function idParam(req: Request): string {
  const id = String(req.params.id ?? "");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    throw new AppError("not_found", "No such item", undefined, "Det finns ingen sådan post.");
  return id;
}

export const formBody = (req: Request) => (req.body ?? {}) as Record<string, string>;
