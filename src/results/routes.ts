import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { requireUser } from "../auth/middleware.js";
import { authenticateApiKey } from "../intake/api-keys.js";
import { parseOrThrow } from "../lib/errors.js";
import { errorBodySchema, openApiRegistry } from "../lib/openapi.js";
import type { Viewer } from "./access.js";
import { findCoachingSignals } from "./coaching.js";
import { toCsv } from "./csv.js";
import { queryFunnel } from "./funnel.js";
import {
  coachingQuerySchema,
  funnelQuerySchema,
  funnelResponseSchema,
  resultsQuerySchema,
  resultsResponseSchema,
  seriesQuerySchema,
  seriesResponseSchema,
} from "./schemas.js";
import { querySeries } from "./series.js";
import { queryResults, type Comparison, type Dimension } from "./service.js";

/**
 * The results API (mounted at /api/v1) and the report pages. Either an API
 * key (`Authorization: Bearer …`, integrations) or a signed-in web session;
 * the service decides what each viewer may see.
 */
async function viewerOf(ctx: AppContext, req: Request): Promise<Viewer> {
  if (req.user && !req.get("authorization")) return { kind: "user", user: req.user };
  const key = await authenticateApiKey(ctx.prisma, req.get("authorization"), ctx.now());
  return { kind: "apiKey", organizationId: key.organizationId };
}

/** The organization a viewer's figures come from: the signed-in user's, or the API key's. */
const organizationOf = (viewer: Viewer) =>
  viewer.kind === "user" ? viewer.user.organizationId : viewer.organizationId;

const splitList = <T extends string>(v: string | undefined) => (v ? (v.split(",") as T[]) : []);

function send(res: Response, format: string | undefined, body: { rows: object[] }, filename: string) {
  if (format === "csv") {
    res
      .type("text/csv; charset=utf-8")
      .attachment(`${filename}.csv`)
      .send(toCsv(body.rows, { omit: ["targets"] }));
  } else {
    res.json(body);
  }
}

export function resultsRouter(ctx: AppContext): Router {
  const r = Router();

  r.get("/results", async (req, res) => {
    const q = parseOrThrow(resultsQuerySchema, req.query, "query");
    const viewer = await viewerOf(ctx, req);
    const organizationId = organizationOf(viewer);
    const result = await queryResults(ctx, viewer, {
      organizationId,
      period: q.period,
      from: q.from,
      to: q.to,
      by: splitList<Dimension>(q.by),
      group: q.group,
      agent: q.agent,
      compare: splitList<Comparison>(q.compare),
      exact: q.exact === "true",
      channel: q.channel,
    });
    send(res, q.format, result, `nki-${result.period.label}`);
  });

  r.get("/results/series", async (req, res) => {
    const q = parseOrThrow(seriesQuerySchema, req.query, "query");
    const viewer = await viewerOf(ctx, req);
    const organizationId = organizationOf(viewer);
    res.json(await querySeries(ctx, viewer, { organizationId, ...q, exact: q.exact === "true" }));
  });

  r.get("/results/funnel", async (req, res) => {
    const q = parseOrThrow(funnelQuerySchema, req.query, "query");
    const viewer = await viewerOf(ctx, req);
    const organizationId = organizationOf(viewer);
    const result = await queryFunnel(ctx, viewer, {
      organizationId,
      period: q.period,
      from: q.from,
      to: q.to,
      byGroup: q.by === "group",
      group: q.group,
    });
    send(res, q.format, result, `funnel-${result.period.label}`);
  });

  r.get("/coaching", requireUser(ctx, ["manager", "admin"]), async (req, res) => {
    const q = parseOrThrow(coachingQuerySchema, req.query, "query");
    const user = req.user!;
    res.json(await findCoachingSignals(ctx, { kind: "user", user }, { organizationId: user.organizationId, ...q }));
  });

  return r;
}

const errors = (description: string) => ({ description, content: { "application/json": { schema: errorBodySchema } } });
const auth: Record<string, string[]>[] = [{ apiKey: [] }, { session: [] }];

openApiRegistry.registerComponent("securitySchemes", "session", {
  type: "apiKey",
  in: "cookie",
  name: "nki_session",
  description: "A signed-in web session",
});

openApiRegistry.registerPath({
  method: "get",
  path: "/api/v1/results",
  summary: "NKI results per organization, svarsgrupp, agent and question, for a period",
  description:
    "Metrics from the answer counts: n, mean (1–5), distribution, satisfiedShare (4 or 5), index ((mean−1)/4×100), ci95 " +
    "(t-interval for the mean, Wilson for the share), tooFew (respondents below minAnswersForResult: targetMet is then null), " +
    "targetMet against the targets in force at the period's last day. Without `by=question` a row is the overall NKI as the " +
    "organization defines it (all questions pooled, or one question). n counts answers (svar), respondents citizens (svarande); the " +
    "minimum applies to citizens. With compare=previous-year each row has change: the difference of means with a 95 % Welch interval. " +
    "Agents see their own rows and group/organization aggregates only.",
  security: auth,
  request: { query: resultsQuerySchema },
  responses: {
    200: {
      description: "Rows (JSON), or CSV with format=csv",
      content: { "application/json": { schema: resultsResponseSchema }, "text/csv": { schema: z.string() } },
    },
    400: errors("Invalid period, dates or list values (validation_failed)"),
    401: errors("No API key and no session"),
    403: errors("An agent asked for another agent's individual results"),
    404: errors("Unknown group or agent"),
  },
});

openApiRegistry.registerPath({
  method: "get",
  path: "/api/v1/results/series",
  summary: "A figure over time (weeks, months or tertials) with the change against the same period last year",
  description:
    "From the rollups in one statement. Each point: the metrics (n = svar, respondents = svarande), the same period last year, and " +
    "change: the difference of means with a 95 % Welch interval (standard error over citizens), significant only when the interval " +
    "excludes 0, suppressed below minAnswersForResult citizens. With agent, also the agent's svarsgrupp per period.",
  security: auth,
  request: { query: seriesQuerySchema },
  responses: {
    200: { description: "Points, oldest first", content: { "application/json": { schema: seriesResponseSchema } } },
    400: errors("Invalid kind, end or count (validation_failed, naming the parameter)"),
    401: errors("No API key and no session"),
    403: errors("An agent asked for another agent's series"),
    404: errors("Unknown group or agent"),
  },
});

openApiRegistry.registerPath({
  method: "get",
  path: "/api/v1/results/funnel",
  summary: "Survey funnel: completed calls → eligible → sampled → dialled → reached → completed/partial",
  description:
    "For the completed calls reported in the period. responseRate = (completed + partial) / dialled. Managers and administrators (or an API key).",
  security: auth,
  request: { query: funnelQuerySchema },
  responses: {
    200: {
      description: "Funnel rows",
      content: { "application/json": { schema: funnelResponseSchema }, "text/csv": { schema: z.string() } },
    },
    400: errors("Invalid period"),
    401: errors("No API key and no session"),
    403: errors("Agents may not read the funnel"),
  },
});

openApiRegistry.registerPath({
  method: "get",
  path: "/api/v1/coaching",
  summary: "Agents whose results are below their group or a target by more than chance explains",
  description:
    "Rolling window of the last `weeks` weeks. One-sided Welch t-test against the rest of the agent's svarsgrupp and one-sample tests " +
    "against targets, run only with at least `minAnswers` answers, with Benjamini–Hochberg adjusted p-values ≤ alpha. Managers and administrators.",
  security: [{ session: [] }],
  request: { query: coachingQuerySchema },
  responses: {
    200: {
      description: "Flags with their evidence",
      content: {
        "application/json": { schema: z.object({ flags: z.array(z.record(z.string(), z.unknown())) }).passthrough() },
      },
    },
    401: errors("Not signed in"),
    403: errors("Not a manager or administrator"),
  },
});
