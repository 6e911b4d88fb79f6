import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../lib/db.js";
import { addDays } from "./periods.js";
import type { Counts } from "./stats.js";

/**
 * The results feature's SQL: sums of rollup counts over a set of local days.
 * A range is split into whole calendar months (read from the monthly rollups)
 * and the days before and after them (daily rollups), so a year costs 12 rows
 * per key instead of 365. Queries without group or agent read the
 * organization-level rollups.
 */
export type Dimension = "group" | "agent" | "question";

const COLUMN: Record<Dimension, string> = { group: `"groupId"`, agent: `"agentId"`, question: `"questionKey"` };
const SUMS = Prisma.raw(`sum(c1)::int AS c1, sum(c2)::int AS c2, sum(c3)::int AS c3, sum(c4)::int AS c4, sum(c5)::int AS c5`);

export interface DaySplit {
  /** Inclusive day ranges read from the daily rollups. */
  days: [string, string][];
  /** First days of the whole months in between (inclusive), or null. */
  months: [string, string] | null;
}

const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonthStart = (day: string) => {
  const [y, m] = day.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
};

/** Splits [from, to] into whole months and edge days. Pure; exported for tests. */
export function splitRange(from: string, to: string): DaySplit {
  const firstWhole = from === monthStart(from) ? from : nextMonthStart(from);
  const afterLastWhole = addDays(to, 1) === nextMonthStart(to) ? nextMonthStart(to) : monthStart(to);
  if (firstWhole >= afterLastWhole) return { days: [[from, to]], months: null };
  const days: [string, string][] = [];
  if (from < firstWhole) days.push([from, addDays(firstWhole, -1)]);
  if (afterLastWhole <= to) days.push([afterLastWhole, to]);
  const lastWholeStart = monthStart(addDays(afterLastWhole, -1));
  return { days, months: [firstWhole, lastWholeStart] };
}

export interface CountsQuery {
  organizationId: string;
  from: string;
  to: string;
  dims: Dimension[];
  groupId?: string;
  agentId?: string;
  /** Restrict to these question keys (the overall NKI on one question). */
  questionKeys?: string[];
}

export interface CountsRow {
  groupId?: string;
  agentId?: string;
  questionKey?: string;
  counts: Counts;
}

type RawRow = { groupId?: string; agentId?: string; questionKey?: string; c1: number; c2: number; c3: number; c4: number; c5: number };

const toRow = (r: RawRow): CountsRow => ({
  ...(r.groupId !== undefined ? { groupId: r.groupId } : {}),
  ...(r.agentId !== undefined ? { agentId: r.agentId } : {}),
  ...(r.questionKey !== undefined ? { questionKey: r.questionKey } : {}),
  counts: [r.c1, r.c2, r.c3, r.c4, r.c5],
});

export async function sumCounts(db: Db, q: CountsQuery): Promise<CountsRow[]> {
  const fine = q.dims.includes("group") || q.dims.includes("agent") || q.groupId !== undefined || q.agentId !== undefined;
  const [dayTable, monthTable] = fine ? [`"AnswerDaily"`, `"AnswerMonthly"`] : [`"AnswerOrgDaily"`, `"AnswerOrgMonthly"`];
  const cols = q.dims.map((d) => COLUMN[d]);
  const select = Prisma.raw(cols.length ? `${cols.join(", ")}, ` : "");
  const filters = [
    q.groupId !== undefined ? Prisma.sql`AND "groupId" = ${q.groupId}::uuid` : Prisma.empty,
    q.agentId !== undefined ? Prisma.sql`AND "agentId" = ${q.agentId}::uuid` : Prisma.empty,
    q.questionKeys ? Prisma.sql`AND "questionKey" = ANY(${q.questionKeys}::text[])` : Prisma.empty,
  ];
  const where = Prisma.join(filters, " ");
  const split = splitRange(q.from, q.to);
  const parts: Prisma.Sql[] = [];
  if (split.days.length) {
    const ranges = Prisma.join(split.days.map(([a, b]) => Prisma.sql`"day" BETWEEN ${a}::date AND ${b}::date`), " OR ");
    parts.push(Prisma.sql`SELECT ${select}c1, c2, c3, c4, c5 FROM ${Prisma.raw(dayTable)}
      WHERE "organizationId" = ${q.organizationId}::uuid AND (${ranges}) ${where}`);
  }
  if (split.months) {
    parts.push(Prisma.sql`SELECT ${select}c1, c2, c3, c4, c5 FROM ${Prisma.raw(monthTable)}
      WHERE "organizationId" = ${q.organizationId}::uuid AND "month" BETWEEN ${split.months[0]}::date AND ${split.months[1]}::date ${where}`);
  }
  const groupBy = cols.length ? Prisma.raw(`GROUP BY ${cols.join(", ")}`) : Prisma.empty;
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT ${select}${SUMS} FROM (${Prisma.join(parts, " UNION ALL ")}) x ${groupBy}`;
  // An aggregate without GROUP BY returns one row of NULLs when nothing matched.
  return rows.filter((r) => r.c1 !== null).map(toRow);
}

/**
 * Other organizations' totals per question (never their groups or agents),
 * for the benchmark. One row per (organization, question).
 */
export async function otherOrganizationsCounts(
  db: Db,
  q: { excludeOrganizationId: string; from: string; to: string; questionKeys: string[] },
): Promise<{ organizationId: string; questionKey: string; counts: Counts }[]> {
  const split = splitRange(q.from, q.to);
  const parts: Prisma.Sql[] = [];
  const common = Prisma.sql`"organizationId" <> ${q.excludeOrganizationId}::uuid AND "questionKey" = ANY(${q.questionKeys}::text[])`;
  for (const [a, b] of split.days) {
    parts.push(Prisma.sql`SELECT "organizationId", "questionKey", c1, c2, c3, c4, c5 FROM "AnswerOrgDaily"
      WHERE "day" BETWEEN ${a}::date AND ${b}::date AND ${common}`);
  }
  if (split.months) {
    parts.push(Prisma.sql`SELECT "organizationId", "questionKey", c1, c2, c3, c4, c5 FROM "AnswerOrgMonthly"
      WHERE "month" BETWEEN ${split.months[0]}::date AND ${split.months[1]}::date AND ${common}`);
  }
  const rows = await db.$queryRaw<(RawRow & { organizationId: string; questionKey: string })[]>`
    SELECT "organizationId"::text AS "organizationId", "questionKey", ${SUMS}
    FROM (${Prisma.join(parts, " UNION ALL ")}) x GROUP BY 1, 2`;
  return rows.map((r) => ({ organizationId: r.organizationId, questionKey: r.questionKey, counts: [r.c1, r.c2, r.c3, r.c4, r.c5] }));
}

export async function loadTargets(db: Db, organizationId: string) {
  const rows = await db.target.findMany({
    where: { organizationId },
    select: { questionKey: true, metric: true, threshold: true, validFrom: true },
  });
  return rows.map((t) => ({
    questionKey: t.questionKey,
    metric: t.metric === "satisfiedShare" ? ("satisfiedShare" as const) : ("mean" as const),
    threshold: t.threshold,
    validFrom: t.validFrom.toISOString().slice(0, 10),
  }));
}
