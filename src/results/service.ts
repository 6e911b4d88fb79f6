import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { getOrganization } from "../organizations/service.js";
import type { OrgSettings } from "../organizations/settings.js";
import { assertAgentScope, assertSameOrganization, resolveAgent, resolveGroup, type Viewer } from "./access.js";
import { poolBenchmark } from "./benchmark.js";
import { parsePeriod, previousYear, rangePeriod, type Period } from "./periods.js";
import { compareQuestionKeys, present, presentPlain, type JudgedMetrics } from "./present.js";
import { loadTargets, otherOrganizationsCounts, sumCounts, type CountsRow, type Dimension } from "./repository.js";
import { poolCounts, ZERO_COUNTS, type Metrics } from "./stats.js";

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
}

export interface ResultRow extends JudgedMetrics {
  questionKey?: string;
  groupKey?: string;
  groupName?: string;
  agentId?: string;
  agentExternalId?: string;
  agentName?: string | null;
  previousYear?: JudgedMetrics;
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
  rows: ResultRow[];
}

export function resolvePeriod(input: { period?: string; from?: string; to?: string }): Period {
  if (input.period && (input.from || input.to)) throw new AppError("validation_failed", "Give either period or from/to", [{ field: "period", message: "not together with from/to" }]);
  if (input.period) return parsePeriod(input.period);
  if (input.from && input.to) return rangePeriod(input.from, input.to);
  throw new AppError("validation_failed", "Give a period (e.g. 2025-W14) or both from and to", [{ field: "period", message: "required" }]);
}

const keyOf = (r: Omit<CountsRow, "counts">, dims: readonly Dimension[]) =>
  dims.map((d) => (d === "group" ? r.groupId : d === "agent" ? r.agentId : r.questionKey)).join("|");

const byKey = (rows: CountsRow[], dims: readonly Dimension[]) => new Map(rows.map((r) => [keyOf(r, dims), r.counts]));

export async function queryResults(ctx: AppContext, viewer: Viewer, input: ResultsInput): Promise<ResultsResponse> {
  assertSameOrganization(viewer, input.organizationId);
  const db = ctx.prisma;
  const organizationId = input.organizationId;
  const period = resolvePeriod(input);
  const by = [...new Set(input.by ?? [])];
  const compare = new Set(input.compare ?? []);
  const exact = input.exact ?? false;
  const [org, group, agent, targets] = await Promise.all([
    getOrganization(db, organizationId),
    input.group ? resolveGroup(db, organizationId, input.group) : undefined,
    input.agent ? resolveAgent(db, organizationId, input.agent) : undefined,
    loadTargets(db, organizationId),
  ]);
  assertAgentScope(viewer, { agentId: agent?.id, byAgent: by.includes("agent") });

  const { minAnswersForResult: minAnswers, nkiDefinition } = org.settings;
  const byQuestion = by.includes("question");
  // The overall NKI: all questions pooled, or the one chosen question.
  const questionKeys = !byQuestion && nkiDefinition.kind === "question" ? [nkiDefinition.questionKey] : undefined;
  const qDims: Dimension[] = byQuestion ? ["question"] : [];
  const range = { organizationId, from: period.from, to: period.to };
  const prev = compare.has("previous-year") ? previousYear(period) : undefined;
  const agentLevel = agent !== undefined || by.includes("agent");
  const groupLevel = group !== undefined || by.includes("group");

  const [main, prevRows, orgRows] = await Promise.all([
    sumCounts(db, { ...range, dims: by, groupId: group?.id, agentId: agent?.id, questionKeys }),
    prev ? sumCounts(db, { ...range, from: prev.from, to: prev.to, dims: by, groupId: group?.id, agentId: agent?.id, questionKeys }) : undefined,
    agentLevel || groupLevel || compare.has("benchmark") ? sumCounts(db, { ...range, dims: ["question"], questionKeys }) : undefined,
  ]);
  if (by.length === 0 && main.length === 0) main.push({ counts: ZERO_COUNTS });

  const comparisons = await Promise.all([
    agentLevel ? groupComparison(ctx, { ...range, by, group, agentId: agent?.id, questionKeys, qDims }) : undefined,
    compare.has("benchmark") && orgRows
      ? otherOrganizationsCounts(db, { excludeOrganizationId: organizationId, from: period.from, to: period.to, questionKeys: orgRows.map((r) => r.questionKey!) })
      : undefined,
  ]);
  const [groupCmp, others] = comparisons;
  const prevMap = prevRows && byKey(prevRows, by);
  const orgMap = orgRows && new Map(orgRows.map((r) => [r.questionKey!, r.counts]));
  const allKeys = orgRows?.map((r) => r.questionKey!) ?? [];
  const names = await loadNames(ctx, main);
  const opts = { minAnswers, targets, periodEnd: period.to, exact };

  const rows: ResultRow[] = main.map((r) => {
    // A filter names its group or agent in every row, as a dimension would.
    const filterFields = {
      ...(group ? { groupKey: group.key, groupName: group.name } : {}),
      ...(agent ? { agentId: agent.id, agentExternalId: agent.externalId, agentName: agent.name } : {}),
    };
    const row: ResultRow = { ...filterFields, ...dimensionFields(r, names), ...present(r.counts, r.questionKey, opts) };
    if (prev) row.previousYear = present(prevMap!.get(keyOf(r, by)) ?? ZERO_COUNTS, r.questionKey, { ...opts, periodEnd: prev.to });
    if (others) {
      const pooled = poolBenchmark(others, r.questionKey ? [r.questionKey] : allKeys, minAnswers);
      row.benchmark = pooled && { ...presentPlain(pooled.counts, minAnswers, exact), organizations: pooled.organizations };
    }
    const g = groupCmp?.(r);
    if (g) row.group = { ...presentPlain(g.counts, minAnswers, exact), groupKey: g.key, groupName: g.name };
    if ((agentLevel || groupLevel) && orgMap) {
      const counts = r.questionKey ? orgMap.get(r.questionKey) : poolCounts(orgMap.values());
      row.organization = presentPlain(counts ?? ZERO_COUNTS, minAnswers, exact);
    }
    return row;
  });
  rows.sort(
    (a, b) =>
      (a.groupKey ?? "").localeCompare(b.groupKey ?? "") ||
      (a.agentExternalId ?? "").localeCompare(b.agentExternalId ?? "") ||
      compareQuestionKeys(a.questionKey ?? "", b.questionKey ?? ""),
  );
  return { period, ...(prev ? { previousPeriod: prev } : {}), nkiDefinition, minAnswers, rows };
}

type Names = { groups: Map<string, { key: string; name: string }>; agents: Map<string, { externalId: string; name: string | null }> };

async function loadNames(ctx: AppContext, rows: CountsRow[]): Promise<Names> {
  const groupIds = [...new Set(rows.flatMap((r) => (r.groupId ? [r.groupId] : [])))];
  const agentIds = [...new Set(rows.flatMap((r) => (r.agentId ? [r.agentId] : [])))];
  const [groups, agents] = await Promise.all([
    groupIds.length ? ctx.prisma.answerGroup.findMany({ where: { id: { in: groupIds } }, select: { id: true, key: true, name: true } }) : [],
    agentIds.length ? ctx.prisma.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, externalId: true, name: true } }) : [],
  ]);
  return { groups: new Map(groups.map((g) => [g.id, g])), agents: new Map(agents.map((a) => [a.id, a])) };
}

function dimensionFields(r: CountsRow, names: Names): Partial<ResultRow> {
  const out: Partial<ResultRow> = {};
  if (r.questionKey !== undefined) out.questionKey = r.questionKey;
  if (r.groupId !== undefined) {
    const g = names.groups.get(r.groupId);
    out.groupKey = g?.key ?? r.groupId;
    out.groupName = g?.name ?? r.groupId;
  }
  if (r.agentId !== undefined) {
    const a = names.agents.get(r.agentId);
    out.agentId = r.agentId;
    out.agentExternalId = a?.externalId ?? r.agentId;
    out.agentName = a?.name ?? null;
  }
  return out;
}

/**
 * The svarsgrupp an agent-level row is compared with: the row's own group when
 * rows are per group, else the filtered group, else (one agent) the group most
 * of the agent's answers in the period came in on.
 */
async function groupComparison(
  ctx: AppContext,
  q: { organizationId: string; from: string; to: string; by: Dimension[]; group?: { id: string; key: string; name: string }; agentId?: string; questionKeys?: string[]; qDims: Dimension[] },
): Promise<((r: CountsRow) => { key: string; name: string; counts: CountsRow["counts"] } | undefined) | undefined> {
  const db = ctx.prisma;
  const range = { organizationId: q.organizationId, from: q.from, to: q.to, questionKeys: q.questionKeys };
  let groupId = q.group?.id;
  if (!q.by.includes("group") && !groupId) {
    if (!q.agentId) return undefined;
    const perGroup = await sumCounts(db, { ...range, dims: ["group"], agentId: q.agentId });
    const total = (c: CountsRow["counts"]) => c.reduce((a, b) => a + b, 0);
    groupId = perGroup.sort((a, b) => total(b.counts) - total(a.counts))[0]?.groupId;
    if (!groupId) return undefined;
  }
  const dims: Dimension[] = ["group", ...q.qDims];
  const rows = await sumCounts(db, { ...range, dims, groupId });
  const counts = byKey(rows, dims);
  const groups = await db.answerGroup.findMany({ where: { id: { in: rows.map((r) => r.groupId!) } }, select: { id: true, key: true, name: true } });
  const names = new Map(groups.map((g) => [g.id, g]));
  return (r) => {
    const gid = r.groupId ?? groupId!;
    const c = counts.get(keyOf({ groupId: gid, questionKey: r.questionKey }, dims));
    const g = names.get(gid);
    return c && g ? { key: g.key, name: g.name, counts: c } : undefined;
  };
}
