import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { orgSettingsSchema } from "../organizations/settings.js";
import { assertSameOrganization, requireManager, type Viewer } from "./access.js";
import { evaluateCoaching, type AgentWindow, type CoachingFlag } from "./coaching-rules.js";
import { addDays } from "./periods.js";
import { loadResultsContext, sumCounts, toTargetDefs } from "./repository.js";
import { localDay } from "../lib/calendar.js";
import { roundTo } from "./rounding.js";
import { addCounts, type Counts } from "./stats.js";
import { OVERALL } from "./targets.js";

/**
 * Coaching signal for the enhetschef: agents whose results over a rolling
 * window (default the last 8 weeks, ending today in the organization's time
 * zone) are below their svarsgrupp or below a target by more than chance
 * explains. The rules and their statistics are in coaching-rules.ts.
 */
export interface CoachingInput {
  organizationId: string;
  weeks?: number;
  alpha?: number;
  minAnswers?: number;
  /** Last day of the window (YYYY-MM-DD, organization's time zone); default today. */
  end?: string;
  /** First day of the window (a report's period); default `weeks` weeks before `end`. */
  start?: string;
}

export interface CoachingReport {
  window: { from: string; to: string; weeks: number };
  alpha: number;
  minAnswers: number;
  agentsTested: number;
  agentsTooFewAnswers: number;
  flags: (Omit<CoachingFlag, "groupId"> & {
    agentExternalId: string;
    agentName: string | null;
    groupKey: string;
    groupName: string;
  })[];
}

const add = (m: Map<string, Counts>, key: string, c: Counts) => m.set(key, addCounts(m.get(key) ?? [0, 0, 0, 0, 0], c));

export async function findCoachingSignals(
  ctx: AppContext,
  viewer: Viewer,
  input: CoachingInput,
): Promise<CoachingReport> {
  assertSameOrganization(viewer, input.organizationId);
  requireManager(viewer);
  const weeks = input.weeks ?? 8;
  const alpha = input.alpha ?? 0.05;
  const minAnswers = input.minAnswers ?? 30;
  const db = ctx.prisma;
  const organizationId = input.organizationId;
  // The results context (zone, settings, targets) is the one a page's other results calls read at
  // the same moment (loadResultsContext shares it); with the window given, the counts start beside it.
  const contextRead = loadResultsContext(db, { organizationId });
  const to = input.end ?? localDay(ctx.now(), (await contextRead)?.timeZone ?? "UTC");
  const from = input.start ?? addDays(to, -7 * weeks + 1);
  const [rows, context] = await Promise.all([
    // Names of agents and groups come joined in with the counts.
    sumCounts(db, { organizationId, from, to, dims: ["agent", "group", "question"] }),
    contextRead,
  ]);
  if (!context) throw new AppError("not_found", "No such organization");
  const nki = orgSettingsSchema.parse(context.settings).nkiDefinition;
  const targets = toTargetDefs(context.targets);
  const inOverall = (key: string) =>
    nki.kind === "all-questions" ? !nki.exclude.includes(key) : nki.questionKey === key;

  // Per agent: all their answers, and their main group (where most answers came in).
  const perAgent = new Map<string, { counts: Map<string, Counts>; perGroup: Map<string, number> }>();
  const perGroup = new Map<string, Map<string, Counts>>();
  const perAgentGroup = new Map<string, Map<string, Counts>>();
  for (const r of rows) {
    const a = perAgent.get(r.agentId!) ?? { counts: new Map(), perGroup: new Map() };
    perAgent.set(r.agentId!, a);
    const n = r.counts.reduce((x, y) => x + y, 0);
    a.perGroup.set(r.groupId!, (a.perGroup.get(r.groupId!) ?? 0) + n);
    const g = perGroup.get(r.groupId!) ?? new Map<string, Counts>();
    perGroup.set(r.groupId!, g);
    const ag = perAgentGroup.get(`${r.agentId}|${r.groupId}`) ?? new Map<string, Counts>();
    perAgentGroup.set(`${r.agentId}|${r.groupId}`, ag);
    for (const key of inOverall(r.questionKey!) ? [r.questionKey!, OVERALL] : [r.questionKey!]) {
      add(a.counts, key, r.counts);
      add(g, key, r.counts);
      add(ag, key, r.counts);
    }
  }
  const windows: AgentWindow[] = [...perAgent].map(([agentId, a]) => {
    const groupId = [...a.perGroup].sort((x, y) => y[1] - x[1])[0][0];
    const own = perAgentGroup.get(`${agentId}|${groupId}`)!;
    const groupRest = new Map<string, Counts>();
    for (const [key, c] of perGroup.get(groupId)!) {
      const mine = own.get(key) ?? [0, 0, 0, 0, 0];
      const rest = c.map((x, i) => x - mine[i]) as unknown as Counts;
      if (rest.some((x) => x > 0)) groupRest.set(key, rest);
    }
    return { agentId, groupId, counts: a.counts, groupRest };
  });
  const flags = evaluateCoaching(windows, { alpha, minAnswers, targets, windowEnd: to });
  const tested = windows.filter((w) => (w.counts.get(OVERALL) ?? [0]).reduce((x, y) => x + y, 0) >= minAnswers).length;
  const agentById = new Map(
    rows.map((r) => [r.agentId!, { externalId: r.agentExternalId!, name: r.agentName ?? null }]),
  );
  const groupById = new Map(rows.map((r) => [r.groupId!, { key: r.groupKey!, name: r.groupName! }]));
  return {
    window: { from, to, weeks },
    alpha,
    minAnswers,
    agentsTested: tested,
    agentsTooFewAnswers: windows.length - tested,
    flags: flags.map(({ groupId, ...f }) => ({
      ...f,
      mean: roundTo(f.mean, 2),
      satisfiedShare: roundTo(f.satisfiedShare, 3),
      difference: roundTo(f.difference, 3),
      reference: f.reference.kind === "group" ? { ...f.reference, mean: roundTo(f.reference.mean, 2) } : f.reference,
      statistic: {
        ...f.statistic,
        value: roundTo(f.statistic.value, 3),
        ...(f.statistic.df !== undefined ? { df: roundTo(f.statistic.df, 1) } : {}),
      },
      agentExternalId: agentById.get(f.agentId)?.externalId ?? f.agentId,
      agentName: agentById.get(f.agentId)?.name ?? null,
      groupKey: groupById.get(groupId)?.key ?? groupId,
      groupName: groupById.get(groupId)?.name ?? groupId,
    })),
  };
}
