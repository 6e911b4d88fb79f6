import type { AppContext } from "../context.js";
import { otherMunicipalities, type OtherSources } from "../exchange/comparisons.js";
import { AppError } from "../lib/errors.js";
import { msg } from "../i18n/index.js";
import { nkiTotalKeys, orgSettingsSchema, type OrgSettings } from "../organizations/settings.js";
import { channelLabel, channelsFor, type ChannelFilter } from "./channels.js";
import type { Channel } from "./rollup.js";
import { assertAgentScope, assertSameOrganization, type Viewer } from "./access.js";
import { poolBenchmark } from "./benchmark.js";
import { parsePeriod, previousYear, rangePeriod, type Period } from "./periods.js";
import { compareQuestionKeys, present, presentChange, presentPlain, type JudgedMetrics } from "./present.js";
import { loadResultsContext, sumCountsMany, toTargetDefs, type CountsRow, type Dimension } from "./repository.js";
import { poolCounts, respondentsOf, ZERO_COUNTS, type Change, type Counts, type Metrics } from "./stats.js";

export type { Viewer } from "./access.js";
export type { Dimension } from "./repository.js";
export type Comparison = "previous-year" | "benchmark";

export interface ResultsInput {
  organizationId: string;
  /** A named period (2025, 2018-P2, 2025-03, 2025-W14, 2025-03-14), or from/to. */
  period?: string;
  from?: string;
  to?: string;
  by?: Dimension[];
  /** Svarsgrupp key. */
  group?: string;
  /** The agent's id in this service or in the telephony system (externalId). */
  agent?: string;
  compare?: Comparison[];
  /** Unrounded numbers (tests, integrations that round themselves). */
  exact?: boolean;
  /** phone | web | all; default the headline's channels (the organization's webAnswersInHeadline). */
  channel?: ChannelFilter;
}

export interface ResultRow extends JudgedMetrics {
  /** The channels the row counts: "phone", "web" or "phone+web". */
  channels: string;
  questionKey?: string;
  groupKey?: string;
  groupName?: string;
  agentId?: string;
  agentExternalId?: string;
  agentName?: string | null;
  previousYear?: JudgedMetrics;
  /** Against previousYear: difference of means with a 95 % Welch interval; suppressed below the minimum citizens. */
  change?: Change;
  /** Other municipalities pooled; null when fewer than three qualify. */
  benchmark?: (Metrics & { organizations: number }) | null;
  /** An agent's row against their svarsgrupp (the row's group, or the group most of their answers came from). */
  group?: Metrics & { groupKey: string; groupName: string };
  /** An agent's or group's row against the whole kundcenter. */
  organization?: Metrics;
}

export interface ResultsResponse {
  period: Period;
  previousPeriod?: Period;
  nkiDefinition: OrgSettings["nkiDefinition"];
  minAnswers: number;
  /** The answers' channels these results include (other municipalities: always phone). */
  channels: Channel[];
  rows: ResultRow[];
  /** With compare=benchmark: what each source of other municipalities says, labelled (src/exchange). */
  otherSources?: OtherSources;
}

export function resolvePeriod(input: { period?: string; from?: string; to?: string }): Period {
  if (input.period && (input.from || input.to))
    throw new AppError(
      "validation_failed",
      "Give either period or from/to",
      [{ field: "period", message: "not together with from/to" }],
      (lang) => msg(lang).errors.periodOrRange,
    );
  if (input.period) return parsePeriod(input.period);
  if (input.from && input.to) return rangePeriod(input.from, input.to);
  throw new AppError(
    "validation_failed",
    "Give a period (e.g. 2025-W14) or both from and to",
    [{ field: "period", message: "required" }],
    (lang) => msg(lang).errors.periodRequired,
  );
}

const keyOf = (r: Omit<CountsRow, "counts">, dims: readonly Dimension[]) =>
  dims.map((d) => (d === "group" ? r.groupId : d === "agent" ? r.agentId : r.questionKey)).join("|");

/** Rows pooled over questions to the key `dims`, with the citizens behind them (svarande, not svar). */
export interface PooledRow extends CountsRow {
  respondents: number;
}

/** Pools per-question rows to `dims` (which may itself include question: then nothing is pooled). */
export function poolRows(rows: readonly CountsRow[], dims: readonly Dimension[]): PooledRow[] {
  const out = new Map<string, { first: CountsRow; perQuestion: Counts[] }>();
  for (const r of rows) {
    const key = keyOf(r, dims);
    const e = out.get(key);
    if (e) e.perQuestion.push(r.counts);
    else out.set(key, { first: r, perQuestion: [r.counts] });
  }
  return [...out.values()].map(({ first, perQuestion }) => {
    const { questionKey, ...rest } = first;
    return {
      ...rest,
      ...(dims.includes("question") ? { questionKey } : {}),
      counts: poolCounts(perQuestion),
      respondents: respondentsOf(perQuestion),
    };
  });
}

/** Dimensions to query: always per question, so citizens can be counted; pooled afterwards. */
const withQuestion = (dims: readonly Dimension[]): Dimension[] =>
  dims.includes("question") ? [...dims] : [...dims, "question"];

const byKey = (rows: PooledRow[], dims: readonly Dimension[]) => new Map(rows.map((r) => [keyOf(r, dims), r]));

export async function queryResults(ctx: AppContext, viewer: Viewer, input: ResultsInput): Promise<ResultsResponse> {
  assertSameOrganization(viewer, input.organizationId);
  const db = ctx.prisma;
  const organizationId = input.organizationId;
  const period = resolvePeriod(input);
  const by = [...new Set(input.by ?? [])];
  const compare = new Set(input.compare ?? []);
  const exact = input.exact ?? false;
  const context = await loadResultsContext(db, { organizationId, groupKey: input.group, agentRef: input.agent });
  if (!context) throw new AppError("not_found", "No such organization");
  if (input.group && !context.group)
    throw new AppError(
      "not_found",
      `No svarsgrupp "${input.group}" in this organization`,
      [{ field: "group", message: "unknown group" }],
      (lang) => msg(lang).errors.unknownGroup(input.group!),
    );
  if (input.agent && !context.agent)
    throw new AppError(
      "not_found",
      `No agent "${input.agent}" in this organization`,
      [{ field: "agent", message: "unknown agent" }],
      (lang) => msg(lang).errors.unknownAgent(input.agent!),
    );
  const group = context.group ?? undefined;
  const agent = context.agent ?? undefined;
  assertAgentScope(viewer, { agentId: agent?.id, byAgent: by.includes("agent") });

  const {
    minAnswersForResult: minAnswers,
    nkiDefinition,
    benchmarkMinRespondents,
    webAnswersInHeadline,
  } = orgSettingsSchema.parse(context.settings);
  const channels = channelsFor(input.channel, webAnswersInHeadline);
  const targets = toTargetDefs(context.targets);
  const byQuestion = by.includes("question");
  // The overall NKI: all questions pooled, or the one chosen question.
  const total = byQuestion ? {} : nkiTotalKeys(nkiDefinition);
  const qDims: Dimension[] = byQuestion ? ["question"] : [];
  const range = { organizationId, from: period.from, to: period.to, ...total, channels };
  const prev = compare.has("previous-year") ? previousYear(period) : undefined;
  const agentLevel = agent !== undefined || by.includes("agent");
  const groupLevel = group !== undefined || by.includes("group");
  const scope = { dims: withQuestion(by), groupId: group?.id, agentId: agent?.id };
  // The svarsgrupp an agent-level row is compared with: the row's own group when rows are per group,
  // else the filtered group, else the group most of the one agent's answers came in on.
  const groupPart =
    agentLevel && (by.includes("group") || group || agent)
      ? {
          ...range,
          dims: ["group", "question"] as Dimension[],
          groupId: group?.id,
          ...(by.includes("group") || group ? {} : { mainGroupOfAgent: agent!.id }),
        }
      : undefined;

  const parts = await sumCountsMany(db, {
    main: { ...range, ...scope },
    prev: prev && { ...range, ...scope, from: prev.from, to: prev.to },
    org: agentLevel || groupLevel || compare.has("benchmark") ? { ...range, dims: ["question"] } : undefined,
    group: groupPart,
    // Other municipalities are compared on their phone surveys, whatever this view includes.
    others: compare.has("benchmark") ? { ...range, dims: ["question"], others: true, channels: ["phone"] } : undefined,
  });
  const hidden = new Set(context.hiddenGroupIds);
  const main = poolRows(parts.main, by).filter((r) => group || !r.groupId || !hidden.has(r.groupId));
  if (by.length === 0 && main.length === 0) main.push({ counts: ZERO_COUNTS, respondents: 0 });
  const prevMap = byKey(poolRows(parts.prev, by), by);
  const orgMap = new Map(parts.org.map((r) => [r.questionKey!, r.counts]));
  const ownKeys = parts.org.map((r) => r.questionKey!);
  const others = parts.others.map((r) => ({
    organizationId: r.organizationId!,
    questionKey: r.questionKey!,
    counts: r.counts,
  }));
  const groupDims: Dimension[] = ["group", ...qDims];
  const groupRows = poolRows(parts.group, groupDims);
  const groupMap = new Map(groupRows.map((r) => [keyOf(r, groupDims), r]));
  const opts = { minAnswers, targets, periodEnd: period.to, exact };

  const rows: ResultRow[] = main.map((r) => {
    // A filter names its group or agent in every row, as a dimension would.
    const row: ResultRow = {
      ...(group ? { groupKey: group.key, groupName: group.name } : {}),
      ...(agent ? { agentId: agent.id, agentExternalId: agent.externalId, agentName: agent.name } : {}),
      ...dimensionFields(r),
      ...present(r.counts, r.questionKey, opts, r.respondents),
      // Last, so a CSV keeps the question and its figures in its first columns.
      channels: channelLabel(channels),
    };
    if (prev) {
      const earlier = prevMap.get(keyOf(r, by)) ?? { counts: ZERO_COUNTS, respondents: 0 };
      row.previousYear = present(earlier.counts, r.questionKey, { ...opts, periodEnd: prev.to }, earlier.respondents);
      row.change = presentChange(r, earlier, minAnswers, exact);
    }
    if (compare.has("benchmark")) {
      const pooled = poolBenchmark(others, r.questionKey ? [r.questionKey] : ownKeys, benchmarkMinRespondents);
      row.benchmark = pooled && {
        // n in citizens: per organization its most answered question, summed (svarande, not svar).
        ...presentPlain(pooled.counts, minAnswers, exact, pooled.respondents),
        organizations: pooled.organizations,
      };
    }
    if (groupPart) {
      const g = r.groupId
        ? groupMap.get(keyOf({ groupId: r.groupId, questionKey: r.questionKey }, groupDims))
        : groupRows.find((x) => x.questionKey === r.questionKey);
      if (g)
        row.group = {
          ...presentPlain(g.counts, minAnswers, exact, g.respondents),
          groupKey: g.groupKey!,
          groupName: g.groupName!,
        };
    }
    if (agentLevel || groupLevel) {
      const counts = r.questionKey ? orgMap.get(r.questionKey) : poolCounts(orgMap.values());
      const people = r.questionKey ? undefined : respondentsOf(orgMap.values());
      row.organization = presentPlain(counts ?? ZERO_COUNTS, minAnswers, exact, people);
    }
    return row;
  });
  rows.sort(
    (a, b) =>
      (a.groupKey ?? "").localeCompare(b.groupKey ?? "") ||
      (a.agentExternalId ?? "").localeCompare(b.agentExternalId ?? "") ||
      compareQuestionKeys(a.questionKey ?? "", b.questionKey ?? ""),
  );
  const otherSources = compare.has("benchmark")
    ? await otherMunicipalities(ctx, { period, settings: context.settings })
    : undefined;
  return {
    period,
    ...(prev ? { previousPeriod: prev } : {}),
    nkiDefinition,
    minAnswers,
    channels,
    rows,
    otherSources,
  };
}

function dimensionFields(r: PooledRow): Partial<ResultRow> {
  const out: Partial<ResultRow> = {};
  if (r.questionKey !== undefined) out.questionKey = r.questionKey;
  if (r.groupId !== undefined) Object.assign(out, { groupKey: r.groupKey, groupName: r.groupName });
  if (r.agentId !== undefined)
    Object.assign(out, { agentId: r.agentId, agentExternalId: r.agentExternalId, agentName: r.agentName ?? null });
  return out;
}
