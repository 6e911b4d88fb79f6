import type { AppContext } from "../../context.js";
import type { SessionUser } from "../../auth/middleware.js";
import { getOrganization } from "../../organizations/service.js";
import { addDays, leadingWeek, periodContaining, type Period } from "../../results/periods.js";
import { queryResults, type ResultRow } from "../../results/service.js";
import type { ChannelFilter } from "../../results/channels.js";
import { cached, PAST_WEEK_TTL_MS } from "./cache.js";

export type OverviewPeriodKey = "week" | "month" | "tertial";
export const OVERVIEW_PERIODS: OverviewPeriodKey[] = ["week", "month", "tertial"];

export interface OverviewView {
  periodKey: OverviewPeriodKey;
  /** The channel the page was asked for (absent: the headline's), and the channels its figures include. */
  channel?: ChannelFilter;
  channels: string[];
  period: Period;
  timeZone: string;
  total: ResultRow | null;
  groups: ResultRow[];
  groupQuestions: ResultRow[];
  agents: ResultRow[];
  trend: { labels: string[]; groups: { key: string; name: string; values: (number | null)[] }[]; org: (number | null)[] };
}

const TREND_WEEKS = 12;

/** The enhetschef's overview: the organization, each svarsgrupp and each agent, with targets. */
export async function loadOverview(
  ctx: AppContext,
  user: SessionUser,
  periodKey: OverviewPeriodKey,
  channel?: ChannelFilter,
): Promise<OverviewView> {
  const org = await getOrganization(ctx.prisma, user.organizationId);
  const viewer = { kind: "user" as const, user };
  const now = ctx.now();
  // On Mondays the week that just ended leads: the one the group meeting discusses.
  const period = periodKey === "week" ? leadingWeek(now, org.timeZone) : periodContaining(periodKey, now, org.timeZone);
  const base = { organizationId: user.organizationId, from: period.from, to: period.to, channel };
  const thisWeek = periodContaining("week", now, org.timeZone);
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) =>
    periodContaining("week", new Date(`${addDays(thisWeek.from, -7 * (TREND_WEEKS - 1 - i))}T12:00:00Z`), org.timeZone),
  );
  const [total, groups, groupQuestions, agents, ...trendWeeks] = await Promise.all([
    queryResults(ctx, viewer, { ...base, by: [], compare: ["previous-year", "benchmark"] }),
    queryResults(ctx, viewer, { ...base, by: ["group"], compare: ["previous-year"] }),
    queryResults(ctx, viewer, { ...base, by: ["group", "question"] }),
    queryResults(ctx, viewer, { ...base, by: ["agent"] }),
    ...weeks.map((w) => {
      const run = () =>
        queryResults(ctx, viewer, { organizationId: user.organizationId, from: w.from, to: w.to, by: ["group"], channel });
      return w.label === thisWeek.label
        ? run()
        : cached(`org-week:${user.organizationId}:${w.label}:${channel ?? "headline"}`, PAST_WEEK_TTL_MS, run);
    }),
  ]);

  const names = new Map<string, string>();
  for (const w of trendWeeks) for (const r of w.rows) names.set(r.groupKey!, r.groupName ?? r.groupKey!);
  const usable = (r: ResultRow | undefined) => (r && !r.tooFew ? r.mean : null);
  const orgLine = trendWeeks.map((w) => {
    // The organization's weekly mean pooled exactly from its groups' sums.
    const n = w.rows.reduce((a, r) => a + r.n, 0);
    const sum = w.rows.reduce((a, r) => a + (r.mean ?? 0) * r.n, 0);
    return n >= org.settings.minAnswersForResult ? sum / n : null;
  });
  return {
    periodKey,
    ...(channel ? { channel } : {}),
    channels: total.channels,
    period,
    timeZone: org.timeZone,
    total: total.rows[0] ?? null,
    groups: groups.rows,
    groupQuestions: groupQuestions.rows,
    agents: agents.rows,
    trend: {
      labels: weeks.map((w) => `v${w.label.slice(-2)}`),
      org: orgLine,
      groups: [...names].sort(([a], [b]) => a.localeCompare(b)).map(([key, name]) => ({ key, name, values: trendWeeks.map((w) => usable(w.rows.find((r) => r.groupKey === key))) })),
    },
  };
}
