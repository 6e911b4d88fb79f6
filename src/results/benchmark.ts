import { poolCounts, type Counts } from "./stats.js";

/**
 * Comparison with the other organizations of this installation (k-anonymous).
 * An organization takes part for a set of question keys (one key, or all keys
 * of the overall NKI) when at least `minRespondents` citizens answered in the
 * period: for one key its n, for several the n of its most answered key (each
 * citizen answers each question at most once, so the answers to seven
 * questions are not seven times the people). The organization setting
 * benchmarkMinRespondents gives the minimum (default 100, SKR's rule). The
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

const total = (c: Counts) => c.reduce((a, b) => a + b, 0);

export function poolBenchmark(
  others: readonly OtherOrgCounts[],
  questionKeys: readonly string[],
  minRespondents: number,
): { counts: Counts; organizations: number; respondents: number } | null {
  const keys = new Set(questionKeys);
  const perOrg = new Map<string, Counts[]>();
  for (const o of others) {
    if (!keys.has(o.questionKey)) continue;
    perOrg.set(o.organizationId, [...(perOrg.get(o.organizationId) ?? []), o.counts]);
  }
  const participants = [...perOrg.values()]
    .map((list) => ({ counts: poolCounts(list), respondents: Math.max(...list.map(total)) }))
    .filter((p) => p.respondents >= minRespondents);
  if (participants.length < MIN_OTHER_ORGANIZATIONS) return null;
  return {
    counts: poolCounts(participants.map((p) => p.counts)),
    organizations: participants.length,
    respondents: participants.reduce((a, p) => a + p.respondents, 0),
  };
}
