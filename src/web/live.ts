import type { SnapshotFn } from "../realtime/hub.js";
import { queryResults } from "../results/service.js";
import { parsePeriod, periodContaining, type Period } from "../results/periods.js";
import { getOrganization } from "../organizations/service.js";
import { AGENT_PERIODS, loadAgentView, type AgentPeriodKey } from "./data/agent.js";
import { renderAgentLive } from "./pages/agent.js";
import type { Lang } from "./i18n.js";
import { CHANNEL_FILTERS, type ChannelFilter } from "../results/channels.js";
import { toDocument } from "./html.js";

/**
 * The period the agent's page showed when it opened the stream: a tab (?p=week)
 * or a named period (?period=2026-W49; the page opens a stream only for a period
 * that contains today). An unreadable one falls back to the current week.
 */
function agentChoice(params: Record<string, string>): { key: AgentPeriodKey } | { period: Period } {
  if (params.period) {
    try {
      return { period: parsePeriod(params.period) };
    } catch {
      return { key: "week" };
    }
  }
  return { key: (AGENT_PERIODS as string[]).includes(params.p ?? "") ? (params.p as AgentPeriodKey) : "week" };
}

/** The page's channel, when the stream was opened with a known one; else the headline's. */
const streamChannel = (c: string | undefined): ChannelFilter | undefined =>
  (CHANNEL_FILTERS as readonly string[]).includes(c ?? "") ? (c as ChannelFilter) : undefined;

/**
 * What the live stream sends each viewer. An agent gets the re-rendered
 * results region of their page (`html`, produced by the same function as the
 * first render) plus the headline numbers; a manager gets the organization's
 * current week per svarsgrupp, computed once per flush for all managers.
 */
export const webSnapshot: SnapshotFn = async (ctx, user, memo, params) => {
  const lang: Lang = params.lang === "en" ? "en" : "sv";
  if (user.role === "agent") {
    if (!user.agentId) return { html: null, periods: [] };
    const view = await loadAgentView(ctx, user, agentChoice(params), streamChannel(params.channel));
    return {
      html: toDocument(renderAgentLive(view, lang)),
      periods: view.periods.map((p) => ({
        key: p.key,
        period: p.period.label,
        n: p.overall?.n ?? 0,
        mean: p.overall?.tooFew ? null : (p.overall?.mean ?? null),
      })),
    };
  }
  const key = `org:${user.organizationId}`;
  if (!memo.has(key)) {
    memo.set(
      key,
      (async () => {
        const org = await getOrganization(ctx.prisma, user.organizationId);
        const week = periodContaining("week", ctx.now(), org.timeZone);
        const r = await queryResults(
          ctx,
          { kind: "user", user },
          { organizationId: user.organizationId, from: week.from, to: week.to, by: ["group"] },
        );
        return { html: null, period: week.label, groups: r.rows };
      })(),
    );
  }
  return memo.get(key);
};
