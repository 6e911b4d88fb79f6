import { Router, type RequestHandler } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { csrfToken, requireUser } from "../auth/middleware.js";
import { parseOrThrow } from "../lib/errors.js";
import { langOf } from "../web/i18n.js";
import { renderPage } from "../web/layout.js";
import { toDocument } from "../web/html.js";
import { periodFromPicker } from "./periods.js";
import { exportFileName, reportCsv, reportXlsx } from "./report-export.js";
import { renderReport } from "./report-render.js";
import { reportTitle } from "./report-text.js";
import { buildReport } from "./reports.js";
import type { ChannelFilter } from "./channels.js";
import { channelParam } from "./schemas.js";

/**
 * GET /reports/weekly?week=2025-W14 and GET /reports/period?period=2018-P2
 * (defaults: the current week / tertial in the organization's time zone);
 * either takes any period (?period=2025-03, 2025, 2026-T3 …).
 * HTML pages in the web layout, for managers and administrators; the same
 * report as a spreadsheet at /reports/weekly.xlsx, /reports/period.csv …
 */
// Any period (week, month, tertial, year, day): parsed and checked by results/periods.ts, whose error names the parameter.
const periodText = z.string().max(30).optional();
// The picker's plain GET form: kind + year + number.
const picker = {
  kind: z.string().max(10).optional(),
  year: z.string().max(10).optional(),
  number: z.string().max(10).optional(),
};
const weeklyQuery = z.object({ week: periodText, period: periodText, channel: channelParam, ...picker });
const periodQuery = z.object({ period: periodText, channel: channelParam, ...picker });

interface Requested {
  period?: string;
  field: string;
  channel?: ChannelFilter;
}

/** The period a report URL names (the picker's fields, ?week=, or ?period=) and its channel. */
function requested(q: z.infer<typeof weeklyQuery>): Requested {
  const channel = q.channel;
  if (q.kind !== undefined)
    return { period: periodFromPicker(q.kind, q.year ?? "", q.number).label, field: "period", channel };
  return q.week !== undefined
    ? { period: q.week, field: "week", channel }
    : { period: q.period, field: "period", channel };
}

export function reportsRouter(ctx: AppContext): Router {
  const r = Router();
  const managers = requireUser(ctx, ["manager", "admin"]);
  const page =
    (kind: "weekly" | "period", read: (q: unknown) => Requested): RequestHandler =>
    async (req, res) => {
      const { period, field, channel } = read(req.query);
      const user = req.user!;
      const L = langOf(req);
      const data = await buildReport(
        ctx,
        { kind: "user", user },
        { organizationId: user.organizationId, kind, period, periodField: field, channel },
      );
      const title = reportTitle(data.period, L);
      res.type("html").send(
        toDocument(
          renderPage({
            title,
            user,
            active: kind,
            body: renderReport(data, L),
            lang: L,
            styles: ["/assets/report.css"],
            csrfToken: csrfToken(req),
            path: req.originalUrl,
          }),
        ),
      );
    };
  const file =
    (kind: "weekly" | "period", ext: "xlsx" | "csv", read: (q: unknown) => Requested): RequestHandler =>
    async (req, res) => {
      const { period, field, channel } = read(req.query);
      const user = req.user!;
      const data = await buildReport(
        ctx,
        { kind: "user", user },
        { organizationId: user.organizationId, kind, period, periodField: field, channel },
      );
      res.setHeader("Content-Disposition", `attachment; filename="${exportFileName(data, ext)}"`);
      res.setHeader("Cache-Control", "no-store");
      if (ext === "csv") res.type("text/csv; charset=utf-8").send(reportCsv(data));
      else res.type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").send(await reportXlsx(data));
    };
  const readWeekly = (q: unknown) => requested(parseOrThrow(weeklyQuery, q, "query"));
  const readPeriod = (q: unknown) => requested(parseOrThrow(periodQuery, q, "query"));
  r.get("/reports/weekly", managers, page("weekly", readWeekly));
  r.get("/reports/period", managers, page("period", readPeriod));
  for (const ext of ["xlsx", "csv"] as const) {
    r.get(`/reports/weekly.${ext}`, managers, file("weekly", ext, readWeekly));
    r.get(`/reports/period.${ext}`, managers, file("period", ext, readPeriod));
  }
  return r;
}
