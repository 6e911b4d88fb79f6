/**
 * Keypad scores with a chosen mean. A citizen's answer is a latent value (their
 * mood plus a per-question wobble, normally distributed) cut into 1–5 at
 * 1.5, 2.5, 3.5 and 4.5. Near the top of the scale the cut pulls the mean
 * down, so `latentForMean` solves for the latent centre that gives the wanted
 * keypad mean: the demo's averages then land where they were aimed.
 */
export const MOOD_SD = 0.45;
export const ITEM_SD = 0.75;
const TOTAL_SD = Math.sqrt(MOOD_SD ** 2 + ITEM_SD ** 2);
const CUTS = [1.5, 2.5, 3.5, 4.5];

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Expected keypad score for a latent centre `mu` and spread `sd`. */
export function expectedScore(mu: number, sd = TOTAL_SD): number {
  // E[score] = 1 + Σ P(latent > cut)
  return 1 + CUTS.reduce((s, c) => s + (1 - normalCdf((c - mu) / sd)), 0);
}

/** The latent centre whose expected keypad score is `mean` (1 < mean < 5). */
export function latentForMean(mean: number, sd = TOTAL_SD): number {
  const target = Math.min(4.95, Math.max(1.05, mean));
  let lo = -5;
  let hi = 12;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (expectedScore(mid, sd) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function cutToScore(latent: number): number {
  return 1 + CUTS.filter((c) => latent > c).length;
}

/** Box–Muller from a uniform source. */
export function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}
