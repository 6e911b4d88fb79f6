import type { AppContext } from "../../context.js";
import type { SessionUser } from "../../auth/middleware.js";
import type { OtherSources } from "../../exchange/comparisons.js";
import { getOrganization } from "../../organizations/service.js";
import { leadingWeek, periodContaining, type Period } from "../../results/periods.js";
import { queryResults, type ResultRow } from "../../results/service.js";
import type { SeriesResponse } from "../../results/series.js";
import { loadGroupWeeks, loadTrends, type Trends } from "./trends.js";
import type { ChannelFilter } from "../../results/channels.js";

export type OverviewPeriodKey = "week" | "month" | "tertial";
export const OVERVIEW_PERIODS: OverviewPeriodKey[] = ["week", "month", "tertial"];

export interface OverviewView {
  /** The tab the period is the current one of, when it is. */
  periodKey: OverviewPeriodKey | null;
  /** The channel the page was asked for (absent: the headline's), and the channels its figures include. */
  channel?: ChannelFilter;
  channels: string[];
  period: Period;
  previousPeriod?: Period;
  timeZone: string;
  minAnswers: number;
  total: ResultRow | null;
  otherSources?: OtherSources;
  groups: ResultRow[];
  groupQuestions: ResultRow[];
  agents: ResultRow[];
  trends: Trends;
  groupWeeks: SeriesResponse[];
}

/** The period a tab stands for now: on Mondays the week that just ended leads (the one the group meeting discusses). */
export function overviewTabPeriod(key: OverviewPeriodKey, now: Date, timeZone: string): Period {
  return key === "week" ? leadingWeek(now, timeZone) : periodContaining(key, now, timeZone);
}

/**
 * The enhetschef's overview of any period: the organization, each svarsgrupp
 * and each agent with targets, the change against last year, the other
 * municipalities from every source, and the trends around the period.
 */
export async function loadOverview(
  ctx: AppContext,
  user: SessionUser,
  choice: { key: OverviewPeriodKey } | { period: Period },
  channel?: ChannelFilter,
  /** The organization when the caller has already read it (the overview route reads it once per request). */
  known?: { timeZone: string },
): Promise<OverviewView> {
  const org = known ?? (await getOrganization(ctx.prisma, user.organizationId));
  const viewer = { kind: "user" as const, user };
  const now = ctx.now();
  const period = "period" in choice ? choice.period : overviewTabPeriod(choice.key, now, org.timeZone);
  const periodKey =
    OVERVIEW_PERIODS.find((k) => overviewTabPeriod(k, now, org.timeZone).label === period.label) ?? null;
  // By name, not as a range: last year's week 53 is week 52, and published figures are found by their period.
  const base = { organizationId: user.organizationId, period: period.label, channel };
  const [total, groups, groupQuestions, agents, trends, groupWeeksOf] = await Promise.all([
    queryResults(ctx, viewer, { ...base, by: [], compare: ["previous-year", "benchmark"] }),
    queryResults(ctx, viewer, { ...base, by: ["group"], compare: ["previous-year"] }),
    queryResults(ctx, viewer, { ...base, by: ["group", "question"] }),
    queryResults(ctx, viewer, { ...base, by: ["agent"], compare: ["previous-year"] }),
    loadTrends(ctx, viewer, { organizationId: user.organizationId, period, timeZone: org.timeZone, channel }),
    loadGroupWeeks(ctx, viewer, { organizationId: user.organizationId, period, timeZone: org.timeZone, channel }),
  ]);
  // A line for each svarsgrupp in the table (those with answers in the period, hidden ones left out).
  const groupWeeks = groups.rows
    .filter((g) => g.groupKey)
    .map((g) => groupWeeksOf({ key: g.groupKey!, name: g.groupName ?? g.groupKey! }));
  return {
    periodKey,
    ...(channel ? { channel } : {}),
    channels: total.channels,
    period,
    previousPeriod: total.previousPeriod,
    timeZone: org.timeZone,
    minAnswers: total.minAnswers,
    total: total.rows[0] ?? null,
    otherSources: total.otherSources,
    groups: groups.rows,
    groupQuestions: groupQuestions.rows,
    agents: agents.rows,
    trends,
    groupWeeks,
  };
}
