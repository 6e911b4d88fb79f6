import { roundMetrics } from "./rounding.js";
import { computeMetrics, type Counts, type Metrics } from "./stats.js";
import { judgeTargets, OVERALL, targetsInForce, type TargetCheck, type TargetDef } from "./targets.js";

/** One metric block as the API shows it: the metrics, and the verdict against the targets in force. */
export interface JudgedMetrics extends Metrics {
  targetMet: boolean | null;
  targets: TargetCheck[];
}

export interface PresentOptions {
  minAnswers: number;
  targets: readonly TargetDef[];
  /** Last day of the period: picks the targets in force. */
  periodEnd: string;
  exact: boolean;
}

export function present(counts: Counts, questionKey: string | undefined, o: PresentOptions): JudgedMetrics {
  const metrics = computeMetrics(counts, o.minAnswers);
  const judged = {
    ...metrics,
    ...judgeTargets(metrics, targetsInForce(o.targets, questionKey ?? OVERALL, o.periodEnd)),
  };
  return o.exact ? judged : roundMetrics(judged);
}

/** Comparisons carry metrics only; targets belong to the row's own organization and period. */
export function presentPlain(counts: Counts, minAnswers: number, exact: boolean): Metrics {
  const m = computeMetrics(counts, minAnswers);
  return exact ? m : roundMetrics(m);
}

/** The default flow's question order; other keys follow alphabetically. */
export const QUESTION_ORDER = [
  "svarstid",
  "bemotande",
  "engagemang",
  "kunskap",
  "fick_hjalp",
  "helhet",
  "rekommendera",
];

export function compareQuestionKeys(a: string, b: string): number {
  const ia = QUESTION_ORDER.indexOf(a);
  const ib = QUESTION_ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a.localeCompare(b);
}
