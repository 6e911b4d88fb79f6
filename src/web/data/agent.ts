import type { AppContext } from "../../context.js";
import type { SessionUser } from "../../auth/middleware.js";
import { getOrganization } from "../../organizations/service.js";
import { addDays, periodContaining, type Period } from "../../results/periods.js";
import { queryResults, type ResultRow } from "../../results/service.js";
import { cached, PAST_WEEK_TTL_MS } from "./cache.js";

export type AgentPeriodKey = "today" | "week" | "period";
export const AGENT_PERIODS: AgentPeriodKey[] = ["today", "week", "period"];

export interface AgentPeriod {
  key: AgentPeriodKey;
  period: Period;
  overall: ResultRow | null;
  questions: ResultRow[];
}

export interface AgentView {
  agentName: string | null;
  timeZone: string;
  /** When the figures were read ("Senast uppdaterad"). */
  renderedAt: Date;
  periods: AgentPeriod[];
  /** The chosen period in detail (per question). */
  selected: AgentPeriodKey;
  trend: { labels: string[]; me: (number | null)[]; group: (number | null)[]; org: (number | null)[]; groupName: string | null };
}

const TREND_WEEKS = 8;
const KIND = { today: "day", week: "week", period: "tertial" } as const;

/**
 * Everything the agent's page shows, through the results service with the
 * agent as viewer (so the service's own rule keeps them to their own
 * individual rows). The live stream calls this too, so both always agree.
 */
export async function loadAgentView(ctx: AppContext, user: SessionUser, selected: AgentPeriodKey): Promise<AgentView> {
  const org = await getOrganization(ctx.prisma, user.organizationId);
  const viewer = { kind: "user" as const, user };
  const now = ctx.now();
  const agent = user.agentId ?? undefined;
  const ask = (period: Period, byQuestion: boolean, benchmark: boolean) =>
    agent
      ? queryResults(ctx, viewer, {
          organizationId: user.organizationId,
          from: period.from,
          to: period.to,
          by: byQuestion ? ["question"] : [],
          agent,
          compare: benchmark ? ["benchmark"] : [],
        })
      : null;

  const periods = await Promise.all(
    AGENT_PERIODS.map(async (key): Promise<AgentPeriod> => {
      const period = periodContaining(KIND[key], now, org.timeZone);
      const [overall, detail] = await Promise.all([ask(period, false, true), key === selected ? ask(period, true, true) : null]);
      return { key, period, overall: overall?.rows[0] ?? null, questions: detail?.rows ?? [] };
    }),
  );

  const thisWeek = periodContaining("week", now, org.timeZone);
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => periodContaining("week", new Date(`${addDays(thisWeek.from, -7 * (TREND_WEEKS - 1 - i))}T12:00:00Z`), org.timeZone));
  const trendRows = await Promise.all(
    weeks.map((w) => {
      const run = async () => (await ask(w, false, false))?.rows[0] ?? null;
      return w.label === thisWeek.label ? run() : cached(`agent-week:${user.organizationId}:${agent}:${w.label}`, PAST_WEEK_TTL_MS, run);
    }),
  );
  const mean = (m: { mean: number | null; tooFew: boolean } | null | undefined) => (m && !m.tooFew ? m.mean : null);
  const agentRow = agent ? await ctx.prisma.agent.findUnique({ where: { id: agent }, select: { name: true } }) : null;
  return {
    agentName: agentRow?.name ?? null,
    timeZone: org.timeZone,
    renderedAt: ctx.now(),
    periods,
    selected,
    trend: {
      labels: weeks.map((w) => `v${w.label.slice(-2)}`),
      me: trendRows.map((r) => mean(r)),
      group: trendRows.map((r) => mean(r?.group)),
      org: trendRows.map((r) => mean(r?.organization)),
      groupName: trendRows.findLast((r) => r?.group)?.group?.groupName ?? null,
    },
  };
}
