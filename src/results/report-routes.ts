import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { csrfToken, requireUser } from "../auth/middleware.js";
import { parseOrThrow } from "../lib/errors.js";
import { asyncHandler } from "../lib/http.js";
import { langOf, tr } from "../web/i18n.js";
import { renderPage } from "../web/layout.js";
import { toDocument } from "../web/html.js";
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
const weeklyQuery = z.object({ week: periodText, period: periodText });
const periodQuery = z.object({ period: periodText });

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
            body: renderReport(data, L),
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
    page("weekly", (q) => {
      const w = parseOrThrow(weeklyQuery, q, "query");
      return w.week !== undefined ? { period: w.week, field: "week" } : { period: w.period, field: "period" };
    }),
  );
  r.get(
    "/reports/period",
    managers,
    page("period", (q) => ({ period: parseOrThrow(periodQuery, q, "query").period, field: "period" })),
  );
  return r;
}
