import type { Interval, Metrics } from "./stats.js";

/**
 * Rounding for presentation, applied once at the edge (API, CSV, reports):
 * mean 2 decimals (the domain reports 4.33), index 1 decimal (SKR style),
 * satisfiedShare 3 decimals (a fraction, i.e. 0.1 percentage point), and each
 * interval bound like its metric. Half away from zero, on the decimal value:
 * 4.325 (173/40) becomes 4.33 even though its double is 4.32499999…
 * `?exact=true` on the API returns the unrounded values.
 */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  // toPrecision(12) removes binary representation noise before the half-step decision.
  const scaled = Number((Math.abs(x) * f).toPrecision(12));
  return (Math.sign(x) * Math.round(scaled)) / f || 0;
}

export const DECIMALS = { mean: 2, index: 1, satisfiedShare: 3 } as const;

const roundInterval = (i: Interval | null, d: number): Interval | null =>
  i && { low: roundTo(i.low, d), high: roundTo(i.high, d) };
const roundOrNull = (x: number | null, d: number) => (x === null ? null : roundTo(x, d));

export function roundMetrics<M extends Metrics>(m: M): M {
  return {
    ...m,
    mean: roundOrNull(m.mean, DECIMALS.mean),
    index: roundOrNull(m.index, DECIMALS.index),
    satisfiedShare: roundOrNull(m.satisfiedShare, DECIMALS.satisfiedShare),
    ci95: {
      mean: roundInterval(m.ci95.mean, DECIMALS.mean),
      index: roundInterval(m.ci95.index, DECIMALS.index),
      satisfiedShare: roundInterval(m.ci95.satisfiedShare, DECIMALS.satisfiedShare),
    },
  };
}
