/**
 * Pooling other installations' figures (pure). A municipality contributes to
 * a figure only when its flow asked the same questions (same key set) and it
 * has at least `minRespondents` citizens in the period; the pool is shown
 * only when at least MIN_MUNICIPALITIES contribute, so no one municipality's
 * result can be read from it (the same rule as src/results/benchmark.ts).
 */
export const MIN_MUNICIPALITIES = 3;
const Z95 = 1.959964;

export interface PeerMoments {
  peerId: string;
  municipality: string;
  flowKeys: string;
  questionKey: string;
  n: number;
  sum: number;
  sumSq: number;
  top2: number;
}

export interface PooledFigure {
  municipalities: number;
  /** Citizens: per municipality the most answered question's n, summed. */
  respondents: number;
  /** Answers pooled (equal to respondents for one question). */
  n: number;
  mean: number;
  index: number;
  satisfiedShare: number;
  ci95: { mean: { low: number; high: number } | null };
}

export function poolExchange(
  figures: readonly PeerMoments[],
  opts: { flowKeys: string; questionKeys: readonly string[]; minRespondents: number },
): PooledFigure | null {
  const keys = new Set(opts.questionKeys);
  const perPeer = new Map<string, PeerMoments[]>();
  for (const f of figures) {
    if (f.flowKeys !== opts.flowKeys || !keys.has(f.questionKey)) continue;
    perPeer.set(f.peerId, [...(perPeer.get(f.peerId) ?? []), f]);
  }
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let top2 = 0;
  let respondents = 0;
  let municipalities = 0;
  for (const list of perPeer.values()) {
    const citizens = Math.max(...list.map((f) => f.n));
    if (citizens < opts.minRespondents) continue;
    municipalities++;
    respondents += citizens;
    for (const f of list) {
      n += f.n;
      sum += f.sum;
      sumSq += f.sumSq;
      top2 += f.top2;
    }
  }
  if (municipalities < MIN_MUNICIPALITIES || n < 2) return null;
  const mean = sum / n;
  const variance = Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
  const half = Z95 * Math.sqrt(variance / n);
  return {
    municipalities,
    respondents,
    n,
    mean,
    index: ((mean - 1) / 4) * 100,
    satisfiedShare: top2 / n,
    ci95: { mean: { low: Math.max(1, mean - half), high: Math.min(5, mean + half) } },
  };
}
