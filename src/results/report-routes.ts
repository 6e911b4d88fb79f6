import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { csrfToken, requireUser } from "../auth/middleware.js";
import { parseOrThrow } from "../lib/errors.js";
import { asyncHandler } from "../lib/http.js";
import { langOf, tr } from "../web/i18n.js";
import { renderPage } from "../web/layout.js";
import { html, toDocument } from "../web/html.js";
import { periodNav } from "../web/period-nav.js";
import { periodFromPicker } from "./periods.js";
import { renderReport } from "./report-render.js";
import { buildReport } from "./reports.js";

/**
 * GET /reports/weekly?week=2025-W14 and GET /reports/period?period=2018-P2
 * (defaults: the current week / tertial in the organization's time zone);
 * either takes any period (?period=2025-03, 2025, 2026-T3 …).
 * HTML pages in the web layout, for managers and administrators.
 */
// Any period (week, month, tertial, year, day): parsed and checked by results/periods.ts, whose error names the parameter.
const periodText = z.string().max(30).optional();
// The picker's plain GET form: kind + year + number.
const picker = {
  kind: z.string().max(10).optional(),
  year: z.string().max(10).optional(),
  number: z.string().max(10).optional(),
};
const weeklyQuery = z.object({ week: periodText, period: periodText, ...picker });
const periodQuery = z.object({ period: periodText, ...picker });

/** The period a report URL names: the picker's fields, ?week=, or ?period=. */
function requested(q: z.infer<typeof weeklyQuery>): { period?: string; field: string } {
  if (q.kind !== undefined) return { period: periodFromPicker(q.kind, q.year ?? "", q.number).label, field: "period" };
  return q.week !== undefined ? { period: q.week, field: "week" } : { period: q.period, field: "period" };
}

export function reportsRouter(ctx: AppContext): Router {
  const r = Router();
  const managers = requireUser(ctx, ["manager", "admin"]);
  const page = (kind: "weekly" | "period", read: (q: unknown) => { period?: string; field: string }) =>
    asyncHandler(async (req, res) => {
      const { period, field } = read(req.query);
      const user = req.user!;
      const L = langOf(req);
      const data = await buildReport(
        ctx,
        { kind: "user", user },
        { organizationId: user.organizationId, kind, period, periodField: field },
      );
      const title =
        kind === "weekly"
          ? `${tr(L, "Veckorapport", "Weekly report")} ${data.period.label}`
          : `${tr(L, "Periodrapport", "Period report")} ${data.period.label}`;
      res.type("html").send(
        toDocument(
          renderPage({
            title,
            user,
            active: kind,
            body: html`${periodNav({ path: req.path, period: data.period, lang: L })}${renderReport(data, L)}`,
            lang: L,
            csrfToken: csrfToken(req),
            path: req.originalUrl,
          }),
        ),
      );
    });
  r.get(
    "/reports/weekly",
    managers,
    page("weekly", (q) => requested(parseOrThrow(weeklyQuery, q, "query"))),
  );
  r.get(
    "/reports/period",
    managers,
    page("period", (q) => requested(parseOrThrow(periodQuery, q, "query"))),
  );
  return r;
}
