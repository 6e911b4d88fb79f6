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
 *
 * A target may be a band (threshold = lower bound, `upper` set), e.g. 75–80 %
 * satisfied: the value is under, within or above it. Above a band still meets
 * the target (more satisfied citizens are never a miss); the position says so.
 */
export type TargetMetric = "mean" | "satisfiedShare";

export interface TargetDef {
  questionKey: string;
  metric: TargetMetric;
  threshold: number;
  /** Upper bound of a band; null/absent for a plain "at least" target. */
  upper?: number | null;
  /** YYYY-MM-DD */
  validFrom: string;
}

export type TargetPosition = "under" | "within" | "above";

export interface TargetCheck {
  metric: TargetMetric;
  threshold: number;
  upper: number | null;
  validFrom: string;
  met: boolean | null;
  /** Where the value lies against the target; null when not judged. A plain target met is "within". */
  position: TargetPosition | null;
}

export function targetPosition(value: number, lower: number, upper: number | null | undefined): TargetPosition {
  if (value < lower) return "under";
  if (upper !== null && upper !== undefined && value > upper) return "above";
  return "within";
}

/** The row's overall position: any target under → under; else any band above → above; else within. */
export function overallPosition(checks: readonly TargetCheck[]): TargetPosition | null {
  if (checks.length === 0 || checks.some((c) => c.position === null)) return null;
  if (checks.some((c) => c.position === "under")) return "under";
  return checks.some((c) => c.position === "above") ? "above" : "within";
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
    const judged = !(m.tooFew || value === null);
    const position = judged ? targetPosition(value, t.threshold, t.upper) : null;
    const met = position === null ? null : position !== "under";
    return { metric: t.metric, threshold: t.threshold, upper: t.upper ?? null, validFrom: t.validFrom, met, position };
  });
  if (targets.length === 0 || targets.some((t) => t.met === null)) return { targetMet: null, targets };
  return { targetMet: targets.every((t) => t.met), targets };
}
