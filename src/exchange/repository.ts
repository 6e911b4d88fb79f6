import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";
import type { ExchangeFigureData, ExchangePayload } from "./document.js";

/**
 * The exchange's tables (ExchangePeer, ExchangeFigure) and what it reads of
 * the results rollups to publish. The rollups' counts give exact sums:
 * sum = Σ k·c_k, sum of squares = Σ k²·c_k.
 */
const MOMENTS = `sum(n)::int AS n, sum(c1 + 2 * c2 + 3 * c3 + 4 * c4 + 5 * c5)::int AS sum,
  sum(c1 + 4 * c2 + 9 * c3 + 16 * c4 + 25 * c5)::int AS "sumSq", sum(c4 + c5)::int AS top2`;

const momentRow = z.strictObject({
  month: z.string(),
  questionKey: z.string(),
  n: z.number(),
  sum: z.number(),
  sumSq: z.number(),
  top2: z.number(),
});

/**
 * Kundcenter totals per month and question since `fromMonth`, and opted-in groups summed per category.
 * Phone answers only: the figures are pooled with other municipalities' phone surveys, and a web answer
 * is a different measurement (issue 14).
 */
export async function publishableFigures(
  db: Db,
  q: { organizationId: string; fromMonth: string; groupCategories: Record<string, string> },
): Promise<ExchangeFigureData[]> {
  const org = await sqlRows(
    db,
    momentRow,
    `SELECT to_char("month", 'YYYY-MM') AS month, "questionKey", ${MOMENTS}
       FROM "AnswerOrgMonthly" WHERE "organizationId" = $1::uuid AND "month" >= $2::date AND channel = 'phone'
      GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2`,
    [q.organizationId, q.fromMonth],
  );
  const figures: ExchangeFigureData[] = org.map((r) => ({ scope: "kundcenter", ...r }));
  const groupKeys = Object.keys(q.groupCategories);
  if (groupKeys.length === 0) return figures;
  const groups = await sqlRows(
    db,
    momentRow.extend({ groupKey: z.string() }),
    `SELECT g.key AS "groupKey", to_char(m."month", 'YYYY-MM') AS month, m."questionKey", ${MOMENTS}
       FROM "AnswerMonthly" m JOIN "AnswerGroup" g ON g.id = m."groupId"
      WHERE m."organizationId" = $1::uuid AND m."month" >= $2::date AND g.key = ANY($3::text[])
        AND m.channel = 'phone'
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [q.organizationId, q.fromMonth, groupKeys],
  );
  const byCategory = new Map<string, ExchangeFigureData>();
  for (const r of groups) {
    const scope = `group:${q.groupCategories[r.groupKey]}`;
    const k = `${scope}|${r.month}|${r.questionKey}`;
    const prev = byCategory.get(k);
    byCategory.set(k, {
      scope,
      month: r.month,
      questionKey: r.questionKey,
      n: (prev?.n ?? 0) + r.n,
      sum: (prev?.sum ?? 0) + r.sum,
      sumSq: (prev?.sumSq ?? 0) + r.sumSq,
      top2: (prev?.top2 ?? 0) + r.top2,
    });
  }
  return [...figures, ...byCategory.values()];
}

export interface PeerRow {
  id: string;
  name: string;
  url: string | null;
  token: string | null;
  publicKey: string;
  createdAt: Date;
  lastPulledAt: Date | null;
  lastError: string | null;
}

export const listPeers = (db: Db): Promise<PeerRow[]> => db.exchangePeer.findMany({ orderBy: { name: "asc" } });

export const findPeer = (db: Db, name: string): Promise<PeerRow | null> =>
  db.exchangePeer.findUnique({ where: { name } });

/** Adds a peer, or updates the one with this name (a moved URL, a new key). */
export const upsertPeer = (db: Db, p: { name: string; url: string | null; token: string | null; publicKey: string }) =>
  db.exchangePeer.upsert({ where: { name: p.name }, create: p, update: p });

export async function removePeer(db: Db, name: string): Promise<boolean> {
  return (await db.exchangePeer.deleteMany({ where: { name } })).count > 0;
}

export async function recordPull(db: Db, peerId: string, at: Date, error: string | null): Promise<void> {
  await db.exchangePeer.update({
    where: { id: peerId },
    data: error === null ? { lastPulledAt: at, lastError: null } : { lastError: error.slice(0, 500) },
  });
}

/**
 * Replaces everything stored from this peer with the document's figures, in
 * one transaction: a peer's figures are always one whole document.
 */
export async function replaceFigures(
  db: Db,
  peerId: string,
  doc: ExchangePayload,
  source: "pull" | "file",
  at: Date,
): Promise<number> {
  const flowKeys = [...doc.flowKeys].sort().join(",");
  // One set-based INSERT from the document as JSON (a few thousand figures): a row-by-row ORM
  // insert held a connection for about a second per document on a loaded machine, and 50 peers
  // pulled 8 at a time then queued for connections (bench/exchange-pull.ts).
  const figures = JSON.stringify(
    doc.figures.map((f) => ({
      s: f.scope,
      m: `${f.month}-01`,
      q: f.questionKey,
      n: f.n,
      u: f.sum,
      v: f.sumSq,
      t: f.top2,
    })),
  );
  await db.$executeRaw`DELETE FROM "ExchangeFigure" WHERE "peerId" = ${peerId}::uuid`;
  return db.$executeRaw`INSERT INTO "ExchangeFigure"("peerId", scope, month, "questionKey", "flowKeys", municipality, n, sum, "sumSq", top2, "publishedAt", "importedAt", source)
    SELECT ${peerId}::uuid, f.s, f.m, f.q, ${flowKeys}, ${doc.municipality}, f.n, f.u, f.v, f.t, ${new Date(doc.publishedAt)}, ${at}, ${source}
    FROM jsonb_to_recordset(${figures}::jsonb) AS f(s text, m date, q text, n int, u int, v int, t int)`;
}

export interface StoredFigure {
  peerId: string;
  municipality: string;
  flowKeys: string;
  questionKey: string;
  n: number;
  sum: number;
  sumSq: number;
  top2: number;
  importedAt: Date;
}

const storedFigureRow = z.strictObject({
  peerId: z.string(),
  municipality: z.string(),
  flowKeys: z.string(),
  questionKey: z.string(),
  n: z.number(),
  sum: z.number(),
  sumSq: z.number(),
  top2: z.number(),
  importedAt: z.date(),
}) satisfies z.ZodType<StoredFigure>;

/** Every peer's figures of one scope for whole months [fromMonth, toMonth], summed per peer and question. */
export async function figuresForMonths(
  db: Db,
  q: { scope: string; fromMonth: string; toMonth: string },
): Promise<StoredFigure[]> {
  return sqlRows(
    db,
    storedFigureRow,
    `SELECT "peerId"::text AS "peerId", min(municipality) AS municipality, min("flowKeys") AS "flowKeys", "questionKey",
        sum(n)::int AS n, sum(sum)::int AS sum, sum("sumSq")::int AS "sumSq", sum(top2)::int AS top2, max("importedAt") AS "importedAt"
       FROM "ExchangeFigure"
      WHERE scope = $1 AND "month" BETWEEN $2::date AND $3::date
      GROUP BY "peerId", "questionKey", "flowKeys"`,
    [q.scope, q.fromMonth, q.toMonth],
  );
}
