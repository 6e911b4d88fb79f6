import { DECIMALS, roundMetrics, roundTo } from "./rounding.js";
import { changeOfMean, computeMetrics, type Change, type Counts, type Metrics, type Sample } from "./stats.js";
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

export function present(
  counts: Counts,
  questionKey: string | undefined,
  o: PresentOptions,
  respondents?: number,
): JudgedMetrics {
  const metrics = computeMetrics(counts, o.minAnswers, respondents);
  const judged = {
    ...metrics,
    ...judgeTargets(metrics, targetsInForce(o.targets, questionKey ?? OVERALL, o.periodEnd)),
  };
  return o.exact ? judged : roundMetrics(judged);
}

/** Comparisons carry metrics only; targets belong to the row's own organization and period. */
export function presentPlain(counts: Counts, minAnswers: number, exact: boolean, respondents?: number): Metrics {
  const m = computeMetrics(counts, minAnswers, respondents);
  return exact ? m : roundMetrics(m);
}

/** The change against an earlier period, rounded like the mean unless exact. */
export function presentChange(current: Sample, earlier: Sample, minRespondents: number, exact: boolean): Change {
  const c = changeOfMean(current, earlier, minRespondents);
  if (exact) return c;
  const r = (x: number) => roundTo(x, DECIMALS.mean);
  return {
    ...c,
    difference: c.difference === null ? null : r(c.difference),
    ci95: c.ci95 && { low: r(c.ci95.low), high: r(c.ci95.high) },
  };
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
