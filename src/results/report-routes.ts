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
 * (defaults: the current week / tertial in the organization's time zone).
 * HTML pages in the web layout, for managers and administrators.
 */
const weeklyQuery = z.object({
  week: z
    .string()
    .regex(/^\d{4}-W\d{2}$/, "expected e.g. 2025-W14")
    .optional(),
});
const periodQuery = z.object({
  period: z
    .string()
    .regex(/^\d{4}(-P[1-3]|-\d{2})?$/, "expected e.g. 2018-P2, 2025-03 or 2025")
    .optional(),
});

export function reportsRouter(ctx: AppContext): Router {
  const r = Router();
  const managers = requireUser(ctx, ["manager", "admin"]);
  const page = (kind: "weekly" | "period", read: (q: unknown) => string | undefined) =>
    asyncHandler(async (req, res) => {
      const period = read(req.query);
      const user = req.user!;
      const L = langOf(req);
      const data = await buildReport(
        ctx,
        { kind: "user", user },
        { organizationId: user.organizationId, kind, period },
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
    page("weekly", (q) => parseOrThrow(weeklyQuery, q, "query").week),
  );
  r.get(
    "/reports/period",
    managers,
    page("period", (q) => parseOrThrow(periodQuery, q, "query").period),
  );
  return r;
}
