import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { EXCHANGE_FORMAT, signPayload, type ExchangeFigureData } from "../exchange/document.js";
import { loadExchangeKeys } from "../exchange/keys.js";
import { addPeer, pullAllPeers, type PullOutcome } from "../exchange/service.js";
import type { Logger } from "../lib/logger.js";
import type { Prisma } from "../lib/db.js";
import { QUESTION_MEANS } from "../telephony/simulator/personas.js";

/**
 * Three invented neighbouring municipalities that run installations of their
 * own and publish through the benchmark exchange: the demo serves their
 * signed documents on loopback (each with its own Ed25519 key, kept in
 * DATA_DIR/demo-neighbours), registers them as peers, and pulls them with the
 * production pull, so the kundcenter's comparisons come through the same path
 * a real peer's figures do.
 */
export interface Neighbour {
  slug: string;
  name: string;
  /** Citizens answering per average month. */
  respondentsPerMonth: number;
  /** Small tendency on every question. */
  effect: number;
}

export const NEIGHBOURS: readonly Neighbour[] = [
  { slug: "norrvik", name: "Norrviks kommun (påhittad)", respondentsPerMonth: 620, effect: 0.06 },
  { slug: "sjostad", name: "Sjöstads kommun (påhittad)", respondentsPerMonth: 410, effect: -0.07 },
  { slug: "bergsala", name: "Bergsala kommun (påhittad)", respondentsPerMonth: 260, effect: 0.02 },
];
const MONTH_FACTOR = [1.15, 1.1, 1.05, 1.0, 0.95, 0.85, 0.55, 0.9, 1.1, 1.05, 1.0, 0.8];
const SD = 0.85;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
function phi(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** Counts of 1–5 for n answers around a mean: a rounded normal, as the history's scores are drawn. */
export function countsAround(n: number, mean: number): number[] {
  const edges = [-Infinity, 1.5, 2.5, 3.5, 4.5, Infinity];
  const p = [0, 1, 2, 3, 4].map((k) => phi((edges[k + 1] - mean) / SD) - phi((edges[k] - mean) / SD));
  return p.map((x) => Math.round(x * n));
}

/** A neighbour's monthly figures per question for the months [fromMonth, toMonth] (YYYY-MM). */
export function neighbourFigures(nb: Neighbour, fromMonth: string, toMonth: string): ExchangeFigureData[] {
  const out: ExchangeFigureData[] = [];
  let [y, m] = fromMonth.split("-").map(Number) as [number, number];
  for (let guard = 0; guard < 60; guard++) {
    const month = `${y}-${String(m).padStart(2, "0")}`;
    if (month > toMonth) break;
    const base = nb.respondentsPerMonth * MONTH_FACTOR[m - 1];
    Object.entries(QUESTION_MEANS).forEach(([questionKey, mean], i) => {
      // Later questions lose a few citizens who hung up; svarstid dips in the summer here too.
      const n = Math.round(base * (1 - 0.012 * i));
      const summer = questionKey === "svarstid" && m >= 6 && m <= 8 ? -0.25 : 0;
      const c = countsAround(n, mean + nb.effect + summer);
      const total = c.reduce((a, b) => a + b, 0);
      if (total === 0) return;
      out.push({
        scope: "kundcenter",
        month,
        questionKey,
        n: total,
        sum: c.reduce((a, k, j) => a + k * (j + 1), 0),
        sumSq: c.reduce((a, k, j) => a + k * (j + 1) * (j + 1), 0),
        top2: c[3] + c[4],
      });
    });
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
}

export interface RunningNeighbours {
  url: string;
  pulled: PullOutcome[];
  stop(): Promise<void>;
}

/** Serves the neighbours' documents on loopback, registers them as peers and pulls them once. */
export async function startNeighbours(
  deps: { prisma: Prisma; logger: Logger; now: () => Date; pullTimeoutMs: number },
  opts: { dataDir: string; fromMonth: string },
): Promise<RunningNeighbours> {
  const published = NEIGHBOURS.map((nb) => ({
    nb,
    keys: loadExchangeKeys(undefined, path.join(opts.dataDir, "demo-neighbours", nb.slug)),
    token: randomBytes(24).toString("base64url"),
  }));
  const server: Server = createServer((req, res) => {
    const p = published.find((x) => req.url === `/${x.nb.slug}`);
    if (!p) return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${p.token}`) return void res.writeHead(401).end();
    const now = deps.now();
    const toMonth = now.toISOString().slice(0, 7);
    const doc = signPayload(
      {
        format: EXCHANGE_FORMAT,
        municipality: p.nb.name,
        publishedAt: now.toISOString(),
        flowKeys: Object.keys(QUESTION_MEANS).sort(),
        figures: neighbourFigures(p.nb, opts.fromMonth.slice(0, 7), toMonth),
      },
      p.keys,
    );
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The port changes at every start: the peers are updated, not added again.
  for (const p of published)
    await addPeer(deps.prisma, {
      name: `demo-${p.nb.slug}`,
      url: `${url}/${p.nb.slug}`,
      token: p.token,
      publicKey: p.keys.publicKey,
    });
  const pulled = await pullAllPeers(deps, deps.pullTimeoutMs);
  return {
    url,
    pulled,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
