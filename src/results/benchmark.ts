import { poolCounts, type Counts } from "./stats.js";

/**
 * Comparison with other municipalities. An organization takes part for a set
 * of question keys (one key, or all keys of the overall NKI) when it has at
 * least `minAnswers` answers to those keys in the period (the requesting
 * organization's minAnswersForResult; SKR uses 100 for its comparisons). The
 * benchmark is the pool of the participants' answers and is shown only when
 * at least MIN_OTHER_ORGANIZATIONS take part, so no single municipality's
 * result can be read from it. Only organization totals ever enter it.
 */
export const MIN_OTHER_ORGANIZATIONS = 3;

export interface OtherOrgCounts {
  organizationId: string;
  questionKey: string;
  counts: Counts;
}

export function poolBenchmark(
  others: readonly OtherOrgCounts[],
  questionKeys: readonly string[],
  minAnswers: number,
): { counts: Counts; organizations: number } | null {
  const keys = new Set(questionKeys);
  const perOrg = new Map<string, Counts[]>();
  for (const o of others) {
    if (!keys.has(o.questionKey)) continue;
    perOrg.set(o.organizationId, [...(perOrg.get(o.organizationId) ?? []), o.counts]);
  }
  const participants = [...perOrg.values()].map(poolCounts).filter((c) => c.reduce((a, b) => a + b, 0) >= minAnswers);
  if (participants.length < MIN_OTHER_ORGANIZATIONS) return null;
  return { counts: poolCounts(participants), organizations: participants.length };
}
