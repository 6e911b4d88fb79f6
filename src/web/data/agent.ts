import type { AppContext } from "../../context.js";
import type { SessionUser } from "../../auth/middleware.js";
import type { OtherSources } from "../../exchange/comparisons.js";
import { getOrganization } from "../../organizations/service.js";
import { periodContaining, type Period } from "../../results/periods.js";
import { queryResults, type ResultRow } from "../../results/service.js";
import { isCurrentPeriod } from "../page-period.js";
import { loadTrends, type Trends } from "./trends.js";
import { channelsFor, type ChannelFilter } from "../../results/channels.js";
import type { Channel } from "../../results/rollup.js";

export type AgentPeriodKey = "today" | "week" | "period";
export const AGENT_PERIODS: AgentPeriodKey[] = ["today", "week", "period"];

export interface AgentPeriod {
  key: AgentPeriodKey;
  period: Period;
  overall: ResultRow | null;
}

export interface AgentView {
  agentName: string | null;
  timeZone: string;
  /** When the figures were read ("Senast uppdaterad"). */
  renderedAt: Date;
  /** Today, this week and this tertial: the summary cards. */
  periods: AgentPeriod[];
  /** The period shown in detail (any week, month, tertial, year or day). */
  period: Period;
  previousPeriod?: Period;
  /** The card the shown period is, when it is one of them. */
  selected: AgentPeriodKey | null;
  /** The shown period contains today: only then does the live stream update the page. */
  live: boolean;
  minAnswers: number;
  /** Overall for the shown period, with last year, the change and the installation's other municipalities. */
  overall: ResultRow | null;
  questions: ResultRow[];
  otherSources?: OtherSources;
  trends: Trends | null;
  /** The channel the page was asked for (absent: the headline's), and the channels its figures include. */
  channel?: ChannelFilter;
  channels: Channel[];
}

const KIND = { today: "day", week: "week", period: "tertial" } as const;

export const agentTabPeriod = (key: AgentPeriodKey, now: Date, timeZone: string): Period =>
  periodContaining(KIND[key], now, timeZone);

/**
 * Everything the agent's page shows, through the results service with the
 * agent as viewer (so the service's own rule keeps them to their own
 * individual rows). The live stream calls this too, so both always agree.
 */
export async function loadAgentView(
  ctx: AppContext,
  user: SessionUser,
  choice: { key: AgentPeriodKey } | { period: Period },
  channel?: ChannelFilter,
): Promise<AgentView> {
  const org = await getOrganization(ctx.prisma, user.organizationId);
  const viewer = { kind: "user" as const, user };
  const now = ctx.now();
  const agent = user.agentId ?? undefined;
  const period = "period" in choice ? choice.period : agentTabPeriod(choice.key, now, org.timeZone);
  const selected = AGENT_PERIODS.find((k) => agentTabPeriod(k, now, org.timeZone).label === period.label) ?? null;
  const ask = (p: Period, byQuestion: boolean, compare: boolean) =>
    agent
      ? queryResults(ctx, viewer, {
          organizationId: user.organizationId,
          // By name, not as a range: last year's week 53 is week 52, and published figures are found by their period.
          period: p.label,
          by: byQuestion ? ["question"] : [],
          agent,
          compare: compare ? ["previous-year", "benchmark"] : [],
          channel,
        })
      : null;
  const [cards, overall, detail, trends, agentRow] = await Promise.all([
    Promise.all(
      AGENT_PERIODS.map(async (key): Promise<AgentPeriod> => {
        const p = agentTabPeriod(key, now, org.timeZone);
        return { key, period: p, overall: (await ask(p, false, false))?.rows[0] ?? null };
      }),
    ),
    ask(period, false, true),
    ask(period, true, true),
    agent
      ? loadTrends(ctx, viewer, { organizationId: user.organizationId, period, timeZone: org.timeZone, agent, channel })
      : null,
    agent ? ctx.prisma.agent.findUnique({ where: { id: agent }, select: { name: true } }) : null,
  ]);
  return {
    agentName: agentRow?.name ?? null,
    timeZone: org.timeZone,
    renderedAt: ctx.now(),
    periods: cards,
    period,
    previousPeriod: overall?.previousPeriod,
    selected,
    live: isCurrentPeriod(period, now, org.timeZone),
    minAnswers: overall?.minAnswers ?? org.settings.minAnswersForResult,
    overall: overall?.rows[0] ?? null,
    questions: detail?.rows ?? [],
    otherSources: overall?.otherSources,
    trends,
    ...(channel ? { channel } : {}),
    channels: overall?.channels ?? channelsFor(channel, org.settings.webAnswersInHeadline),
  };
}
