import { Router } from "express";
import type { AppContext } from "../context.js";
import { csrfToken, requireUser } from "../auth/middleware.js";
import { homeFor } from "../auth/signin.js";
import { langOf } from "./i18n.js";
import { toDocument } from "./html.js";
import { getOrganization } from "../organizations/service.js";
import { AGENT_PERIODS, loadAgentView, type AgentPeriodKey } from "./data/agent.js";
import { loadOverview, OVERVIEW_PERIODS, overviewTabPeriod, type OverviewPeriodKey } from "./data/overview.js";
import { periodInQuery } from "./page-period.js";
import { renderAgentPage } from "./pages/agent.js";
import { renderOverview } from "./pages/overview.js";
import { overviewExtras } from "./overview-extras.js";
import { channelInQuery } from "./channel-switch.js";

const pick = <T extends string>(v: unknown, allowed: readonly T[], fallback: T): T =>
  (allowed as readonly unknown[]).includes(v) ? (v as T) : fallback;

/**
 * The signed-in pages: home (by role), the agent's page, the manager's overview.
 * Both pages show any period: ?period=2026-W48 (or the picker's kind/year/number),
 * or a tab (?p=week) for the current one; a bad period is the Swedish 400 page.
 */
export function pagesRouter(ctx: AppContext): Router {
  const r = Router();
  r.get("/", (req, res) => res.redirect(303, req.user ? homeFor(req.user) : "/login"));

  r.get("/me", requireUser(ctx), async (req, res) => {
    const user = req.user!;
    // Managers have no agent page of their own; send them where they belong.
    if (user.role !== "agent") return res.redirect(303, homeFor(user));
    const { period, tab } = periodInQuery(req.query);
    const view = await loadAgentView(
      ctx,
      user,
      period ? { period } : { key: pick<AgentPeriodKey>(tab, AGENT_PERIODS, "week") },
      channelInQuery(req.query),
    );
    res
      .set("Cache-Control", "no-store")
      .type("html")
      .send(toDocument(renderAgentPage(view, user, langOf(req), csrfToken(req))));
  });

  r.get("/overview", requireUser(ctx, ["manager", "admin"]), async (req, res) => {
    const user = req.user!;
    const asked = periodInQuery(req.query);
    const L = langOf(req);
    const org = await getOrganization(ctx.prisma, user.organizationId);
    const period =
      asked.period ??
      overviewTabPeriod(pick<OverviewPeriodKey>(asked.tab, OVERVIEW_PERIODS, "week"), ctx.now(), org.timeZone);
    const channel = channelInQuery(req.query);
    const [view, extras] = await Promise.all([
      // The organization read above serves both halves (each read it again, the funnel a third time).
      loadOverview(ctx, user, { period }, channel, org),
      overviewExtras(ctx, user, period, L, org.timeZone),
    ]);
    res
      .set("Cache-Control", "no-store")
      .type("html")
      .send(toDocument(renderOverview(view, user, L, csrfToken(req), extras)));
  });
  return r;
}
