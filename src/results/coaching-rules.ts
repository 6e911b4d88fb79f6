import { moments, oneSampleTTest, welchTTest, type Counts } from "./stats.js";
import { normalCdf } from "./distributions.js";
import { targetsInForce, type TargetDef } from "./targets.js";

/**
 * When does an agent's result deviate by more than chance? Pure rules.
 *
 * For each agent with at least `minAnswers` answers in the window, per
 * question and for the overall NKI (key "overall"):
 *  - below-group: Welch's t-test, one-sided, of the agent's mean against the
 *    REST of their svarsgrupp (the group without the agent, so the agent does
 *    not pull the comparison towards themselves);
 *  - below-target: one-sample t-test of the mean against a mean target in
 *    force, or a one-sample z-test of the satisfied share against a share target.
 * Many agents × questions × tests are run at once; by chance alone 5 % of them
 * would come out "significant" at p < 0.05. So p-values are adjusted with
 * Benjamini–Hochberg over all tests of the run, and a test flags only when its
 * adjusted p-value is ≤ alpha (false discovery rate alpha). Five unlucky
 * answers never flag: below minAnswers nothing is tested.
 */
export type CoachingTest = "below-group" | "below-target";

export interface AgentWindow {
  agentId: string;
  groupId: string;
  /** Counts per question key, plus "overall". */
  counts: Map<string, Counts>;
  /** The same for the rest of the agent's svarsgrupp (everyone else's answers in it). */
  groupRest: Map<string, Counts>;
}

export interface CoachingFlag {
  agentId: string;
  groupId: string;
  questionKey: string;
  test: CoachingTest;
  n: number;
  mean: number;
  satisfiedShare: number;
  /** The comparison: the rest of the group's mean, or the target threshold. */
  reference:
    | { kind: "group"; n: number; mean: number }
    | { kind: "target"; metric: "mean" | "satisfiedShare"; threshold: number };
  difference: number;
  statistic: { name: "t" | "z"; value: number; df?: number };
  pValue: number;
  adjustedPValue: number;
}

export interface CoachingOptions {
  alpha: number;
  minAnswers: number;
  targets: readonly TargetDef[];
  windowEnd: string;
}

/** Benjamini–Hochberg adjusted p-values (step-up, monotone), in input order. */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [v, i] = order[k];
    running = Math.min(running, (v * m) / (k + 1));
    adjusted[i] = running;
  }
  return adjusted;
}

export function evaluateCoaching(agents: readonly AgentWindow[], o: CoachingOptions): CoachingFlag[] {
  const candidates: Omit<CoachingFlag, "adjustedPValue">[] = [];
  for (const a of agents) {
    for (const [questionKey, counts] of a.counts) {
      const m = moments(counts);
      if (m.n < o.minAnswers) continue;
      const mean = m.sum / m.n;
      const share = (counts[3] + counts[4]) / m.n;
      const base = { agentId: a.agentId, groupId: a.groupId, questionKey, n: m.n, mean, satisfiedShare: share };
      const rest = a.groupRest.get(questionKey);
      if (rest) {
        const w = welchTTest(counts, rest);
        const r = moments(rest);
        if (w && r.n > 0) {
          candidates.push({
            ...base,
            test: "below-group",
            reference: { kind: "group", n: r.n, mean: r.sum / r.n },
            difference: mean - r.sum / r.n,
            statistic: { name: "t", value: w.t, df: w.df },
            pValue: w.pLess,
          });
        }
      }
      for (const t of targetsInForce(o.targets, questionKey, o.windowEnd)) {
        if (t.metric === "mean") {
          const r = oneSampleTTest(counts, t.threshold);
          if (!r) continue;
          candidates.push({
            ...base,
            test: "below-target",
            reference: { kind: "target", metric: "mean", threshold: t.threshold },
            difference: mean - t.threshold,
            statistic: { name: "t", value: r.t, df: r.df },
            pValue: r.pLess,
          });
        } else if (t.threshold > 0 && t.threshold < 1) {
          const z = (share - t.threshold) / Math.sqrt((t.threshold * (1 - t.threshold)) / m.n);
          candidates.push({
            ...base,
            test: "below-target",
            reference: { kind: "target", metric: "satisfiedShare", threshold: t.threshold },
            difference: share - t.threshold,
            statistic: { name: "z", value: z },
            pValue: normalCdf(z),
          });
        }
      }
    }
  }
  const adjusted = benjaminiHochberg(candidates.map((c) => c.pValue));
  return candidates
    .map((c, i) => ({ ...c, adjustedPValue: adjusted[i] }))
    .filter((c) => c.adjustedPValue <= o.alpha && c.difference < 0)
    .sort((a, b) => a.adjustedPValue - b.adjustedPValue);
}
