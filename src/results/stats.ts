import { normalCdf, studentTCdf, studentTQuantile, Z95 } from "./distributions.js";

/**
 * NKI arithmetic on answer counts c1..c5 (how many answered 1, 2, …, 5). Every
 * metric derives from the counts, so results over any union of days, groups or
 * agents are exact sums of rollup rows.
 *
 * Definitions (documented in docs and the OpenAPI description):
 * - mean: Σ k·c_k / n on the 1–5 keypad scale.
 * - satisfiedShare: (c4 + c5) / n, a fraction 0–1 ("top-2-box").
 * - index: (mean − 1) / 4 × 100, as Swedish municipalities publish it (5→100, 1→0).
 * - ci95.mean: Student t-interval, mean ± t(0.975, n−1) · s/√n with the sample
 *   standard deviation s (n − 1 denominator), intersected with the scale 1–5
 *   (the true mean cannot lie outside it, so the clamped set still covers it
 *   with ≥ 95 %); null below n = 2.
 * - ci95.index: the mean's interval mapped through the index formula.
 * - ci95.satisfiedShare: Wilson score interval with z = 1.959964.
 * - n counts answers ("svar"); respondents counts citizens ("svarande", one
 *   per survey). For one question they are equal; for the overall NKI (seven
 *   questions pooled) a citizen gives up to seven answers.
 * - tooFew: respondents < minAnswersForResult: the minimum-n rule is about
 *   people. The numbers are still given (they are facts about the answers),
 *   but targetMet is null: we do not judge a target on too few citizens, and
 *   clients show "för få svarande" instead of the number.
 */
export type Counts = readonly [number, number, number, number, number];
export const ZERO_COUNTS: Counts = [0, 0, 0, 0, 0];

export interface Interval {
  low: number;
  high: number;
}

export interface Metrics {
  /** Answers (svar). */
  n: number;
  /** Citizens (svarande): n for one question, the largest per-question n when questions are pooled. */
  respondents: number;
  mean: number | null;
  distribution: { "1": number; "2": number; "3": number; "4": number; "5": number };
  satisfiedShare: number | null;
  index: number | null;
  ci95: { mean: Interval | null; index: Interval | null; satisfiedShare: Interval | null };
  tooFew: boolean;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]];
}

export function poolCounts(list: Iterable<Counts>): Counts {
  let acc = ZERO_COUNTS;
  for (const c of list) acc = addCounts(acc, c);
  return acc;
}

/** n, sum and sum of squares: what a t-test or interval needs. */
export function moments(c: Counts): { n: number; sum: number; sumSq: number } {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  c.forEach((k, i) => {
    const score = i + 1;
    n += k;
    sum += k * score;
    sumSq += k * score * score;
  });
  return { n, sum, sumSq };
}

/** Sample variance (n − 1 denominator); null below two answers. */
export function sampleVariance(c: Counts): number | null {
  const { n, sum, sumSq } = moments(c);
  if (n < 2) return null;
  // Σ(x − x̄)² = Σx² − (Σx)²/n; exact in doubles for any realistic n (integers below 2^53).
  return Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
}

export const indexOf = (mean: number): number => ((mean - 1) / 4) * 100;

export function tInterval95(c: Counts): Interval | null {
  const { n, sum } = moments(c);
  const variance = sampleVariance(c);
  if (variance === null) return null;
  const mean = sum / n;
  const half = studentTQuantile(0.975, n - 1) * Math.sqrt(variance / n);
  return { low: Math.max(1, mean - half), high: Math.min(5, mean + half) };
}

export function wilsonInterval95(successes: number, n: number): Interval | null {
  if (n === 0) return null;
  const z2 = Z95 * Z95;
  const p = successes / n;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z95 / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Citizens behind per-question counts: the largest n of any one question. A
 * citizen answers each question at most once and every respondent answers the
 * flow's first question (answers are given in order), so this is exact for
 * the flows here and a lower bound otherwise.
 */
export function respondentsOf(perQuestion: Iterable<Counts>): number {
  let most = 0;
  for (const c of perQuestion) most = Math.max(most, moments(c).n);
  return most;
}

/** `respondents` defaults to n: one question, one answer per citizen. */
export function computeMetrics(c: Counts, minAnswers: number, respondents?: number): Metrics {
  const { n, sum } = moments(c);
  const people = respondents ?? n;
  const mean = n > 0 ? sum / n : null;
  const satisfied = c[3] + c[4];
  const ciMean = tInterval95(c);
  return {
    n,
    respondents: people,
    mean,
    distribution: { "1": c[0], "2": c[1], "3": c[2], "4": c[3], "5": c[4] },
    satisfiedShare: n > 0 ? satisfied / n : null,
    index: mean === null ? null : indexOf(mean),
    ci95: {
      mean: ciMean,
      index: ciMean && { low: indexOf(ciMean.low), high: indexOf(ciMean.high) },
      satisfiedShare: wilsonInterval95(satisfied, n),
    },
    tooFew: people < minAnswers,
  };
}

export interface WelchResult {
  t: number;
  df: number;
  /** One-sided p-value for "a's mean is below b's". */
  pLess: number;
}

/** Welch's unequal-variance t-test of mean(a) < mean(b); null when either side has < 2 answers or no spread. */
export function welchTTest(a: Counts, b: Counts): WelchResult | null {
  const ma = moments(a);
  const mb = moments(b);
  const va = sampleVariance(a);
  const vb = sampleVariance(b);
  if (va === null || vb === null) return null;
  const sa = va / ma.n;
  const sb = vb / mb.n;
  if (sa + sb === 0) return null;
  const t = (ma.sum / ma.n - mb.sum / mb.n) / Math.sqrt(sa + sb);
  const df = (sa + sb) ** 2 / (sa ** 2 / (ma.n - 1) + sb ** 2 / (mb.n - 1));
  return { t, df, pLess: studentTCdf(t, df) };
}

/** One-sample t-test of mean(a) < threshold. */
export function oneSampleTTest(a: Counts, threshold: number): WelchResult | null {
  const m = moments(a);
  const v = sampleVariance(a);
  if (v === null || v === 0) return null;
  const t = (m.sum / m.n - threshold) / Math.sqrt(v / m.n);
  return { t, df: m.n - 1, pLess: studentTCdf(t, m.n - 1) };
}

/** Two-proportion z-test (pooled) of share(a) < share(b). */
export function twoProportionZTest(
  xa: number,
  na: number,
  xb: number,
  nb: number,
): { z: number; pLess: number } | null {
  if (na === 0 || nb === 0) return null;
  const pooled = (xa + xb) / (na + nb);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  if (se === 0) return null;
  const z = (xa / na - xb / nb) / se;
  return { z, pLess: normalCdf(z) };
}

export interface Change {
  /** mean(current) − mean(earlier) on the 1–5 scale; null when suppressed. */
  difference: number | null;
  /** 95 % Welch interval of the difference; null when suppressed or when neither side varies. */
  ci95: Interval | null;
  /** True only when the interval excludes 0. */
  significant: boolean;
  /** Fewer than the minimum citizens on either side: no difference is shown. */
  suppressed: boolean;
}

export interface Sample {
  counts: Counts;
  /** Citizens behind the counts; defaults to n. */
  respondents?: number;
}

/**
 * The change of the mean between two periods with a 95 % Welch interval of
 * the difference of means, from n, sum and sum of squares. When questions are
 * pooled, a citizen's answers are correlated, so the standard error is taken
 * over citizens, not answers (s²/respondents; the worst case of that
 * correlation, so the interval is conservative). Suppressed when either side
 * has fewer than `minRespondents` citizens.
 */
export function changeOfMean(current: Sample, earlier: Sample, minRespondents: number): Change {
  const a = moments(current.counts);
  const b = moments(earlier.counts);
  const ra = current.respondents ?? a.n;
  const rb = earlier.respondents ?? b.n;
  const suppressed = { difference: null, ci95: null, significant: false, suppressed: true };
  if (ra < Math.max(2, minRespondents) || rb < Math.max(2, minRespondents) || a.n < 2 || b.n < 2) return suppressed;
  const difference = a.sum / a.n - b.sum / b.n;
  const va = sampleVariance(current.counts)! / ra;
  const vb = sampleVariance(earlier.counts)! / rb;
  // No spread on either side: no interval can be estimated, so no claim is made.
  if (va + vb === 0) return { difference, ci95: null, significant: false, suppressed: false };
  const df = (va + vb) ** 2 / (va ** 2 / (ra - 1) + vb ** 2 / (rb - 1));
  const half = studentTQuantile(0.975, df) * Math.sqrt(va + vb);
  const ci95 = { low: difference - half, high: difference + half };
  return { difference, ci95, significant: ci95.low > 0 || ci95.high < 0, suppressed: false };
}
