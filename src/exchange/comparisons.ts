import type { AppContext } from "../context.js";
import { orgSettingsSchema } from "../organizations/settings.js";
import { splitRange } from "../results/repository.js";
import type { Period } from "../results/periods.js";
import { contextLinesFor, type ContextLine } from "./published.js";
import { MIN_MUNICIPALITIES, poolExchange, type PooledFigure } from "./pool.js";
import { figuresForMonths } from "./repository.js";
import { flowKeysOf } from "./service.js";

/**
 * Other municipalities from the two sources outside this installation, for
 * the results service (src/results/service.ts asks for them with
 * compare=benchmark): the benchmark exchange (same method, pooled) and
 * figures published elsewhere (another method, context only). Each carries
 * its source, method and n, so a page never mixes them up.
 */
export const OVERALL = "overall";

export interface ExchangeComparison {
  source: "exchange";
  method: string;
  /** Why there are no figures, when there are none. */
  unavailable?: "not-whole-months" | "no-peers";
  minRespondents: number;
  minMunicipalities: number;
  /** Per question key, and "overall" for the NKI; null where fewer than three municipalities qualify. */
  figures: Record<string, PooledFigure | null>;
  /** When the newest of the pooled figures was imported. */
  importedAt: string | null;
}

export interface OtherSources {
  /** Labels the rows' `benchmark` (organizations in this installation). */
  installation: { source: "installation"; method: string; minRespondents: number; minOrganizations: number };
  exchange: ExchangeComparison;
  published: { source: "published"; lines: ContextLine[] };
}

const METHOD = "NKI-enkät efter samtal, knappsats 1–5 (samma frågor)";

export async function otherMunicipalities(
  ctx: Pick<AppContext, "prisma" | "flows">,
  q: { period: Period; settings: unknown },
): Promise<OtherSources> {
  const { benchmarkMinRespondents: minRespondents, nkiDefinition } = orgSettingsSchema.parse(q.settings ?? {});
  const exchange: ExchangeComparison = {
    source: "exchange",
    method: METHOD,
    minRespondents,
    minMunicipalities: MIN_MUNICIPALITIES,
    figures: {},
    importedAt: null,
  };
  // Peers publish whole months: a period that is not made of whole months has no exchange figure.
  const split = splitRange(q.period.from, q.period.to);
  const [published] = await Promise.all([
    contextLinesFor(ctx.prisma, q.period),
    (async () => {
      if (split.days.length > 0 || !split.months) {
        exchange.unavailable = "not-whole-months";
        return;
      }
      const stored = await figuresForMonths(ctx.prisma, {
        scope: "kundcenter",
        fromMonth: split.months[0],
        toMonth: split.months[1],
      });
      if (stored.length === 0) exchange.unavailable = "no-peers";
      const flowKeys = flowKeysOf(ctx.flows, q.settings);
      const pool = (keys: readonly string[]) => poolExchange(stored, { flowKeys, questionKeys: keys, minRespondents });
      const keys = flowKeys.split(",");
      for (const k of keys) exchange.figures[k] = pool([k]);
      exchange.figures[OVERALL] = pool(
        nkiDefinition.kind === "question"
          ? [nkiDefinition.questionKey]
          : keys.filter((k) => !nkiDefinition.exclude.includes(k)),
      );
      const newest = stored.reduce<Date | null>((a, s) => (a && a > s.importedAt ? a : s.importedAt), null);
      exchange.importedAt = newest?.toISOString() ?? null;
    })(),
  ]);
  return {
    installation: { source: "installation", method: METHOD, minRespondents, minOrganizations: MIN_MUNICIPALITIES },
    exchange,
    published: { source: "published", lines: published },
  };
}
