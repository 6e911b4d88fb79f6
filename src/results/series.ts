import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { nkiTotalKeys, orgSettingsSchema } from "../organizations/settings.js";
import { assertAgentScope, assertSameOrganization, type Viewer } from "./access.js";
import { parsePeriod, periodContaining, periodsEndingWith, previousYear, type Period } from "./periods.js";
import { presentChange, presentPlain } from "./present.js";
import { loadResultsContext, sumCounts, sumCountsMany, type CountsQuery, type Dimension } from "./repository.js";
import { poolRows, type PooledRow } from "./service.js";
import { ZERO_COUNTS, type Change, type Metrics } from "./stats.js";
import { channelsFor, type ChannelFilter } from "./channels.js";
import type { Channel } from "./rollup.js";

/**
 * Figures over time, read from the rollups in one statement: the last 8–13
 * weeks, the last 6 tertials, or the months of a year, for the organization,
 * a svarsgrupp or an agent (an agent's series comes with their svarsgrupp's
 * beside it). Each point carries the same period last year and the change
 * against it (Welch interval, suppressed below the minimum citizens).
 */
export type SeriesKind = "week" | "month" | "tertial";

export const SERIES_DEFAULT_COUNT: Record<SeriesKind, number> = { week: 13, month: 12, tertial: 6 };
export const SERIES_MAX_COUNT = 26;

export interface SeriesInput {
  organizationId: string;
  kind: SeriesKind;
  /** The last period of the series (of `kind`); default the current one. */
  end?: string;
  count?: number;
  /** Svarsgrupp key. */
  group?: string;
  /** Agent id (service or telephony). */
  agent?: string;
  /** One question; default the overall NKI as the organization defines it. */
  question?: string;
  exact?: boolean;
  /** phone | web | all; default the headline's channels, as queryResults (a trend beside a headline counts the same answers). */
  channel?: ChannelFilter;
}

export interface SeriesPoint extends Metrics {
  period: Period;
  previousYear: Metrics & { period: Period };
  change: Change;
}

export interface SeriesResponse {
  kind: SeriesKind;
  scope: { groupKey?: string; groupName?: string; agentId?: string; agentName?: string | null; questionKey?: string };
  minAnswers: number;
  /** The answers' channels every point includes. */
  channels: Channel[];
  points: SeriesPoint[];
  /** For an agent: their svarsgrupp's figure for each period (the group most of their answers in the whole series came in on, unless one is named). */
  group?: { period: Period; groupKey: string | null; groupName: string | null; metrics: Metrics }[];
}

const NONE: PooledRow = { counts: ZERO_COUNTS, respondents: 0 };

/** What every series needs before counting: the checked input, its periods and the organization's rules. */
async function seriesSetup(ctx: AppContext, viewer: Viewer, input: SeriesInput) {
  assertSameOrganization(viewer, input.organizationId);
  const organizationId = input.organizationId;
  const count = input.count ?? SERIES_DEFAULT_COUNT[input.kind];
  if (!Number.isInteger(count) || count < 2 || count > SERIES_MAX_COUNT)
    throw new AppError("validation_failed", `count must be 2–${SERIES_MAX_COUNT}`, [
      { field: "count", message: `2–${SERIES_MAX_COUNT}` },
    ]);
  const context = await loadResultsContext(ctx.prisma, {
    organizationId,
    groupKey: input.group,
    agentRef: input.agent,
  });
  if (!context) throw new AppError("not_found", "No such organization");
  if (input.group && !context.group)
    throw new AppError("not_found", `No svarsgrupp "${input.group}"`, [{ field: "group", message: "unknown group" }]);
  if (input.agent && !context.agent)
    throw new AppError("not_found", `No agent "${input.agent}"`, [{ field: "agent", message: "unknown agent" }]);
  const group = context.group ?? undefined;
  const agent = context.agent ?? undefined;
  assertAgentScope(viewer, { agentId: agent?.id, byAgent: false });

  const end = input.end ? parsePeriod(input.end, "end") : periodContaining(input.kind, ctx.now(), context.timeZone);
  if (end.kind !== input.kind)
    throw new AppError(
      "validation_failed",
      `end must be a ${input.kind}, e.g. ${periodContaining(input.kind, ctx.now(), context.timeZone).label}`,
      [{ field: "end", message: `expected a ${input.kind}` }],
    );
  const periods = periodsEndingWith(end, count);
  const {
    minAnswersForResult: minAnswers,
    nkiDefinition,
    webAnswersInHeadline,
  } = orgSettingsSchema.parse(context.settings);
  const channels = channelsFor(input.channel, webAnswersInHeadline);
  const total = input.question ? { questionKeys: [input.question] } : nkiTotalKeys(nkiDefinition);
  return { organizationId, group, agent, periods, minAnswers, total, channels, exact: input.exact ?? false };
}

/** Each period with last year's and the change, from the pooled rows of both. */
function seriesPoints(
  periods: Period[],
  pooled: (label: string) => PooledRow,
  minAnswers: number,
  exact: boolean,
): SeriesPoint[] {
  return periods.map((period, i): SeriesPoint => {
    const now = pooled(`p${i}`);
    const before = pooled(`y${i}`);
    return {
      period,
      ...presentPlain(now.counts, minAnswers, exact, now.respondents),
      previousYear: {
        period: previousYear(period),
        ...presentPlain(before.counts, minAnswers, exact, before.respondents),
      },
      change: presentChange(now, before, minAnswers, exact),
    };
  });
}

/**
 * The series of every svarsgrupp at once (the overview's lines): ONE statement
 * for all groups instead of one per group. Gives, for a group, exactly what
 * querySeries with `group` gives (a group without answers in the series gets
 * its periods empty).
 */
export async function querySeriesOfGroups(
  ctx: AppContext,
  viewer: Viewer,
  input: Omit<SeriesInput, "group" | "agent">,
): Promise<(group: { key: string; name: string }) => SeriesResponse> {
  const { organizationId, periods, minAnswers, total, channels, exact } = await seriesSetup(ctx, viewer, input);
  const scope = { organizationId, ...total, channels, dims: ["group", "question"] as Dimension[] };
  const parts: Record<string, CountsQuery> = {};
  periods.forEach((p, i) => {
    const last = previousYear(p);
    parts[`p${i}`] = { ...scope, from: p.from, to: p.to };
    parts[`y${i}`] = { ...scope, from: last.from, to: last.to };
  });
  const rows = await sumCountsMany(ctx.prisma, parts);
  const byGroup = new Map<string, Map<string, PooledRow>>();
  for (const [label, partRows] of Object.entries(rows))
    for (const r of poolRows(partRows, ["group"])) {
      const key = r.groupKey!;
      if (!byGroup.has(key)) byGroup.set(key, new Map());
      byGroup.get(key)!.set(label, r);
    }
  return (group) => {
    const own = byGroup.get(group.key);
    return {
      kind: input.kind,
      scope: { groupKey: group.key, groupName: group.name, ...(input.question ? { questionKey: input.question } : {}) },
      minAnswers,
      channels,
      points: seriesPoints(periods, (label) => own?.get(label) ?? NONE, minAnswers, exact),
    };
  };
}

export async function querySeries(ctx: AppContext, viewer: Viewer, input: SeriesInput): Promise<SeriesResponse> {
  const { organizationId, group, agent, periods, minAnswers, total, channels, exact } = await seriesSetup(
    ctx,
    viewer,
    input,
  );
  const scope = {
    organizationId,
    ...total,
    channels,
    groupId: group?.id,
    agentId: agent?.id,
    dims: ["question"] as Dimension[],
  };
  // An agent's svarsgrupp for the whole series: the one most of their answers in it came in on, so
  // the group's line goes on through weeks the agent did not work (per period it would break off).
  const mainGroupId =
    agent && !group
      ? (
          await sumCounts(ctx.prisma, {
            organizationId,
            from: periods[0].from,
            to: periods[periods.length - 1].to,
            dims: ["group"],
            agentId: agent.id,
            channels,
          })
        )
          .map((r) => ({ id: r.groupId, n: r.counts.reduce((a, b) => a + b, 0) }))
          .sort((a, b) => b.n - a.n)[0]?.id
      : undefined;
  const parts: Record<string, CountsQuery> = {};
  periods.forEach((p, i) => {
    const last = previousYear(p);
    parts[`p${i}`] = { ...scope, from: p.from, to: p.to };
    parts[`y${i}`] = { ...scope, from: last.from, to: last.to };
    if (agent)
      parts[`g${i}`] = {
        organizationId,
        ...total,
        channels,
        from: p.from,
        to: p.to,
        dims: ["group", "question"],
        ...(group ? { groupId: group.id } : mainGroupId ? { groupId: mainGroupId } : { mainGroupOfAgent: agent.id }),
      };
  });
  const rows = await sumCountsMany(ctx.prisma, parts);
  const pooled = (label: string) => poolRows(rows[label] ?? [], [])[0] ?? NONE;
  const points = seriesPoints(periods, pooled, minAnswers, exact);
  const groupSeries = agent
    ? periods.map((period, i) => {
        const g = poolRows(rows[`g${i}`] ?? [], ["group"])[0] ?? NONE;
        return {
          period,
          groupKey: g.groupKey ?? null,
          groupName: g.groupName ?? null,
          metrics: presentPlain(g.counts, minAnswers, exact, g.respondents),
        };
      })
    : undefined;
  return {
    kind: input.kind,
    scope: {
      ...(group ? { groupKey: group.key, groupName: group.name } : {}),
      ...(agent ? { agentId: agent.id, agentName: agent.name } : {}),
      ...(input.question ? { questionKey: input.question } : {}),
    },
    minAnswers,
    channels,
    points,
    ...(groupSeries ? { group: groupSeries } : {}),
  };
}
