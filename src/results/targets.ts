import type { Metrics } from "./stats.js";

/**
 * Targets change over time (Target.validFrom). The rule: for each question key
 * and metric, the target in force for a period is the one with the latest
 * validFrom on or before the period's LAST day. So a target set mid-period
 * already governs that period (the manager set it for the period being
 * reported), and a later change never rewrites an older period's verdict.
 *
 * A result is judged on its exact (unrounded) value: mean ≥ threshold,
 * satisfiedShare ≥ threshold. Rows about all questions use the targets of the
 * key "overall".
 */
export type TargetMetric = "mean" | "satisfiedShare";

export interface TargetDef {
  questionKey: string;
  metric: TargetMetric;
  threshold: number;
  /** YYYY-MM-DD */
  validFrom: string;
}

export interface TargetCheck {
  metric: TargetMetric;
  threshold: number;
  validFrom: string;
  met: boolean | null;
}

export const OVERALL = "overall";

export function targetsInForce(all: readonly TargetDef[], questionKey: string, periodEnd: string): TargetDef[] {
  const latest = new Map<TargetMetric, TargetDef>();
  for (const t of all) {
    if (t.questionKey !== questionKey || t.validFrom > periodEnd) continue;
    const seen = latest.get(t.metric);
    if (!seen || t.validFrom > seen.validFrom) latest.set(t.metric, t);
  }
  return [...latest.values()].sort((a, b) => a.metric.localeCompare(b.metric));
}

/**
 * targetMet: true when every target in force is met, false when any is missed,
 * null when there is no target or too few answers to judge.
 */
export function judgeTargets(
  m: Metrics,
  inForce: readonly TargetDef[],
): { targetMet: boolean | null; targets: TargetCheck[] } {
  const targets = inForce.map((t) => {
    const value = t.metric === "mean" ? m.mean : m.satisfiedShare;
    const met = m.tooFew || value === null ? null : value >= t.threshold;
    return { metric: t.metric, threshold: t.threshold, validFrom: t.validFrom, met };
  });
  if (targets.length === 0 || targets.some((t) => t.met === null)) return { targetMet: null, targets };
  return { targetMet: targets.every((t) => t.met), targets };
}
