import type { AppContext } from "../../context.js";
import type { Viewer } from "../../results/access.js";
import { monthPeriod, type Period } from "../../results/periods.js";
import { querySeries, querySeriesOfGroups, type SeriesResponse } from "../../results/series.js";
import { trendEnd } from "../page-period.js";
import type { ChannelFilter } from "../../results/channels.js";

/**
 * The figures over time a page shows around its period, from the series
 * functions (one rollup statement each): the 13 weeks and the 6 tertials
 * ending with the period (or today, for a period still running), and the
 * months of the period's year, each point with the same period last year.
 * For an agent, their own series (with their svarsgrupp's beside it) and
 * the whole kundcenter's.
 */
export interface Trends {
  weeks: SeriesResponse;
  tertials: SeriesResponse;
  months: SeriesResponse;
  /** The kundcenter's own series, when the main ones are an agent's. */
  org?: { weeks: SeriesResponse; tertials: SeriesResponse; months: SeriesResponse };
}

export const TREND_WEEKS = 13;
export const TREND_TERTIALS = 6;

export async function loadTrends(
  ctx: AppContext,
  viewer: Viewer,
  o: { organizationId: string; period: Period; timeZone: string; agent?: string; channel?: ChannelFilter },
): Promise<Trends> {
  const channel = o.channel;
  const now = ctx.now();
  const weekEnd = trendEnd("week", o.period, now, o.timeZone).label;
  const tertialEnd = trendEnd("tertial", o.period, now, o.timeZone).label;
  const year = Number(trendEnd("month", o.period, now, o.timeZone).label.slice(0, 4));
  const monthEnd = monthPeriod(year, 12).label;
  const three = (agent?: string) =>
    Promise.all([
      querySeries(ctx, viewer, {
        organizationId: o.organizationId,
        kind: "week",
        end: weekEnd,
        count: TREND_WEEKS,
        agent,
        channel,
      }),
      querySeries(ctx, viewer, {
        organizationId: o.organizationId,
        kind: "tertial",
        end: tertialEnd,
        count: TREND_TERTIALS,
        agent,
        channel,
      }),
      querySeries(ctx, viewer, {
        organizationId: o.organizationId,
        kind: "month",
        end: monthEnd,
        count: 12,
        agent,
        channel,
      }),
    ]);
  const [main, org] = await Promise.all([three(o.agent), o.agent ? three() : undefined]);
  const [weeks, tertials, months] = main;
  return {
    weeks,
    tertials,
    months,
    ...(org ? { org: { weeks: org[0], tertials: org[1], months: org[2] } } : {}),
  };
}

/**
 * Weekly series of every svarsgrupp (the overview's lines), ending where the
 * organization's does: one statement for all groups, so it runs beside the
 * page's other queries instead of after them; the caller picks the groups.
 */
export function loadGroupWeeks(
  ctx: AppContext,
  viewer: Viewer,
  o: { organizationId: string; period: Period; timeZone: string; channel?: ChannelFilter },
): Promise<(group: { key: string; name: string }) => SeriesResponse> {
  const end = trendEnd("week", o.period, ctx.now(), o.timeZone).label;
  return querySeriesOfGroups(ctx, viewer, {
    organizationId: o.organizationId,
    kind: "week",
    end,
    count: TREND_WEEKS,
    channel: o.channel,
  });
}
