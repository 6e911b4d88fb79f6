import { Prisma } from "../generated/prisma/client.js";
import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";
import { addDays } from "./periods.js";
import type { Channel } from "./rollup.js";
import type { Counts } from "./stats.js";

/**
 * The results feature's SQL: sums of rollup counts over a set of local days.
 * A range is split into whole calendar months (read from the monthly rollups)
 * and the days before and after them (daily rollups), so a year costs 12 rows
 * per key instead of 365, plus the answers still in AnswerInbox. Queries
 * without group or agent read the organization-level rollups.
 */
export type Dimension = "group" | "agent" | "question";

const COLUMN: Record<Dimension, string> = { group: `"groupId"`, agent: `"agentId"`, question: `"questionKey"` };
const SUMS = Prisma.raw(
  `sum(c1)::int AS c1, sum(c2)::int AS c2, sum(c3)::int AS c3, sum(c4)::int AS c4, sum(c5)::int AS c5`,
);

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
  /** Only the svarsgrupp most of this agent's answers in the range came in on. */
  mainGroupOfAgent?: string;
  agentId?: string;
  /** Restrict to these question keys (the overall NKI on one question). */
  questionKeys?: string[];
  /** Only answers given on these channels (every rollup carries the channel); all when absent. */
  channels?: Channel[];
  /** Leave these question keys out (NKI totalt without question 7 by default). */
  excludeQuestionKeys?: string[];
  /**
   * Every OTHER organization instead, one row per (organization, question):
   * the benchmark. Reads organization totals only, never groups or agents.
   */
  others?: boolean;
}

export interface CountsRow {
  groupId?: string;
  groupKey?: string;
  groupName?: string;
  agentId?: string;
  agentExternalId?: string;
  agentName?: string | null;
  questionKey?: string;
  organizationId?: string;
  counts: Counts;
}

const id = z.string().nullable();
/** One summed row of sumCountsMany's statement (names joined in; key columns NULL where not grouped). */
const rawRow = z.strictObject({
  label: z.string(),
  groupId: id,
  groupKey: id,
  groupName: id,
  agentId: id,
  agentExternalId: id,
  agentName: id,
  questionKey: id,
  organizationId: id,
  c1: z.number(),
  c2: z.number(),
  c3: z.number(),
  c4: z.number(),
  c5: z.number(),
});
type RawRow = z.output<typeof rawRow>;

function toRow(r: RawRow): CountsRow {
  const row: CountsRow = { counts: [r.c1, r.c2, r.c3, r.c4, r.c5] };
  if (r.groupId !== null)
    Object.assign(row, { groupId: r.groupId, groupKey: r.groupKey ?? r.groupId, groupName: r.groupName ?? r.groupId });
  if (r.agentId !== null)
    Object.assign(row, { agentId: r.agentId, agentExternalId: r.agentExternalId ?? r.agentId, agentName: r.agentName });
  if (r.questionKey !== null) row.questionKey = r.questionKey;
  if (r.organizationId !== null) row.organizationId = r.organizationId;
  return row;
}

/**
 * Everything about a part but its range: parts of equal shape (a series' periods and their
 * previous years) are read by ONE branch over the list of their ranges. A part naming
 * `mainGroupOfAgent` picks that group over its own range, so its range is part of its shape.
 */
function shapeOf(q: CountsQuery): string {
  const { from, to, ...rest } = q;
  const shape = q.mainGroupOfAgent !== undefined ? { ...rest, from, to } : rest;
  return JSON.stringify(Object.entries(shape).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * \`select\` (which reads r.rlabel, r.rfrom and r.rto) once per labelled range: a list of ranges
 * (three array parameters) with the select as a LATERAL subquery. OFFSET 0 keeps the planner
 * from folding it into a join, which it did as one scan of the organization's whole history
 * filtered against every range; per range it is an index range scan.
 */
function perRange(ranges: [string, string, string][], select: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT x.* FROM unnest(${ranges.map((r) => r[0])}::text[], ${ranges.map((r) => r[1])}::date[], ${ranges.map((r) => r[2])}::date[]) AS r(rlabel, rfrom, rto)
    CROSS JOIN LATERAL (${select} OFFSET 0) x`;
}

/**
 * The aggregates of parts of one shape: label, the four key columns (NULL where not grouped)
 * and the summed counts, one row per label and key. Each part's range is split into whole
 * months and edge days (splitRange); the statement joins those lists with the rollups, so
 * 26 ranges cost three joins instead of 26 UNION branches (whose planning was as long as
 * their execution).
 */
function shapeSql(parts: [string, CountsQuery][]): Prisma.Sql {
  const q = parts[0][1];
  const dims = q.others ? (["question"] as Dimension[]) : q.dims;
  const fine =
    !q.others &&
    (dims.includes("group") ||
      dims.includes("agent") ||
      q.groupId !== undefined ||
      q.agentId !== undefined ||
      q.mainGroupOfAgent !== undefined);
  const [dayTable, monthTable] = fine
    ? [`"AnswerDaily"`, `"AnswerMonthly"`]
    : [`"AnswerOrgDaily"`, `"AnswerOrgMonthly"`];
  // Typed key columns (NULL where not grouped), so the name look-ups below use the primary keys.
  const col = (d: Dimension, type: string) => (dims.includes(d) ? `t.${COLUMN[d]}` : `NULL::${type}`);
  const keys = Prisma.raw(
    `r.rlabel, ${col("group", "uuid")}, ${col("agent", "uuid")}, ${col("question", "text")}, ${q.others ? `t."organizationId"` : "NULL::uuid"}`,
  );
  const org = q.others
    ? Prisma.sql`t."organizationId" <> ${q.organizationId}::uuid`
    : Prisma.sql`t."organizationId" = ${q.organizationId}::uuid`;
  const filters = [
    q.groupId !== undefined ? Prisma.sql`AND t."groupId" = ${q.groupId}::uuid` : Prisma.empty,
    q.agentId !== undefined ? Prisma.sql`AND t."agentId" = ${q.agentId}::uuid` : Prisma.empty,
    q.questionKeys ? Prisma.sql`AND t."questionKey" = ANY(${q.questionKeys}::text[])` : Prisma.empty,
    q.channels ? Prisma.sql`AND t.channel = ANY(${q.channels}::text[])` : Prisma.empty,
    q.excludeQuestionKeys?.length
      ? Prisma.sql`AND NOT (t."questionKey" = ANY(${q.excludeQuestionKeys}::text[]))`
      : Prisma.empty,
    // Only in a part of its own shape (shapeOf), so q.from and q.to are every part's range here.
    q.mainGroupOfAgent !== undefined
      ? Prisma.sql`AND t."groupId" = (SELECT "groupId" FROM (
            SELECT "groupId", n FROM "AnswerDaily" WHERE "organizationId" = ${q.organizationId}::uuid
               AND "agentId" = ${q.mainGroupOfAgent}::uuid AND "day" BETWEEN ${q.from}::date AND ${q.to}::date
            UNION ALL
            SELECT "groupId", 1 FROM "AnswerInbox" WHERE "organizationId" = ${q.organizationId}::uuid
               AND "agentId" = ${q.mainGroupOfAgent}::uuid AND "day" BETWEEN ${q.from}::date AND ${q.to}::date
          ) g GROUP BY "groupId" ORDER BY sum(n) DESC, "groupId" LIMIT 1)`
      : Prisma.empty,
  ];
  const where = Prisma.join(filters, " ");
  const days: [string, string, string][] = [];
  const months: [string, string, string][] = [];
  for (const [label, p] of parts) {
    const split = splitRange(p.from, p.to);
    for (const [a, b] of split.days) days.push([label, a, b]);
    if (split.months) months.push([label, ...split.months]);
  }
  const sources: Prisma.Sql[] = [];
  // Edge days from the daily rollup, whole months from the monthly one: the same read over each list.
  for (const [ranges, table, column] of [
    [days, dayTable, `"day"`],
    [months, monthTable, `"month"`],
  ] as const) {
    if (ranges.length)
      sources.push(
        perRange(
          ranges,
          Prisma.sql`SELECT ${keys}, t.c1, t.c2, t.c3, t.c4, t.c5 FROM ${Prisma.raw(table)} t
      WHERE t.${Prisma.raw(column)} BETWEEN r.rfrom AND r.rto AND ${org} ${where}`,
        ),
      );
  }
  // Answers not yet folded into the rollups (at most a second or two of them): exact at every moment.
  const whole = parts.map(([label, p]): [string, string, string] => [label, p.from, p.to]);
  sources.push(
    perRange(
      whole,
      Prisma.sql`SELECT ${keys}, (t.score = 1)::int, (t.score = 2)::int, (t.score = 3)::int, (t.score = 4)::int, (t.score = 5)::int
    FROM "AnswerInbox" t WHERE t."day" BETWEEN r.rfrom AND r.rto AND ${org} ${where}`,
    ),
  );
  // GROUP BY the (possibly constant) key columns: no input rows gives no output row.
  return Prisma.sql`SELECT label, k1 AS "groupId", k2 AS "agentId", k3 AS "questionKey", k4 AS "organizationId", ${SUMS}
    FROM (${Prisma.join(sources, " UNION ALL ")}) AS x(label, k1, k2, k3, k4, c1, c2, c3, c4, c5) GROUP BY label, k1, k2, k3, k4`;
}

/**
 * Several aggregates in ONE statement (one round trip, one parse), one branch
 * per shape of aggregate whatever the number of ranges, with the
 * names of groups and agents joined in: a results request is this plus one
 * context query, whatever its comparisons.
 */
export async function sumCountsMany<L extends string>(
  db: Db,
  parts: Partial<Record<L, CountsQuery>>,
): Promise<Record<L, CountsRow[]>> {
  const entries = Object.entries(parts).filter(([, q]) => q !== undefined) as [L, CountsQuery][];
  // Every label gets an array, also those left out (undefined): callers need not check.
  const out = Object.fromEntries(Object.keys(parts).map((label) => [label, []])) as unknown as Record<L, CountsRow[]>;
  if (entries.length === 0) return out;
  const shapes = new Map<string, [L, CountsQuery][]>();
  for (const entry of entries) {
    const key = shapeOf(entry[1]);
    const same = shapes.get(key);
    if (same) same.push(entry);
    else shapes.set(key, [entry]);
  }
  const statement = Prisma.sql`
    SELECT p.label, p."groupId"::text, p."agentId"::text, p."questionKey", p."organizationId"::text, p.c1, p.c2, p.c3, p.c4, p.c5,
      g.key AS "groupKey", g.name AS "groupName", a."externalId" AS "agentExternalId", a.name AS "agentName"
    FROM (${Prisma.join(
      [...shapes.values()].map((same) => shapeSql(same)),
      " UNION ALL ",
    )}) p
    -- Look-ups per result row only where there is a key (a one-time filter skips the rest).
    LEFT JOIN LATERAL (SELECT key, name FROM "AnswerGroup" WHERE id = p."groupId" AND p."groupId" IS NOT NULL) g ON true
    LEFT JOIN LATERAL (SELECT "externalId", name FROM "Agent" WHERE id = p."agentId" AND p."agentId" IS NOT NULL) a ON true`;
  // On pg's pool, not Prisma's raw path: a page sends a dozen of these, and Prisma's costs about 1 ms of CPU each.
  const rows = await sqlRows(db, rawRow, statement.text, statement.values);
  for (const r of rows) out[r.label as L].push(toRow(r));
  return out;
}

export async function sumCounts(db: Db, q: CountsQuery): Promise<CountsRow[]> {
  return (await sumCountsMany(db, { q })).q;
}

const contextRow = z.strictObject({
  timeZone: z.string(),
  settings: z.unknown(),
  targets: z.array(
    z.strictObject({
      questionKey: z.string(),
      metric: z.string(),
      threshold: z.number(),
      upper: z.number().nullable(),
      validFrom: z.string(),
    }),
  ),
  group: z.strictObject({ id: z.string(), key: z.string(), name: z.string() }).nullable(),
  agent: z.strictObject({ id: z.string(), externalId: z.string(), name: z.string().nullable() }).nullable(),
  /** Groups an administrator hid: left out of per-group comparisons, still counted in the totals. */
  hiddenGroupIds: z.array(z.string()),
});
export type ResultsContextRow = z.output<typeof contextRow>;

const CONTEXT_SQL = `
    SELECT o."timeZone", o.settings,
      (SELECT coalesce(json_agg(json_build_object('questionKey', t."questionKey", 'metric', t.metric, 'threshold', t.threshold,
              'upper', t.upper, 'validFrom', to_char(t."validFrom", 'YYYY-MM-DD'))), '[]'::json) FROM "Target" t WHERE t."organizationId" = o.id) AS targets,
      (SELECT coalesce(json_agg(h.id), '[]'::json) FROM "AnswerGroup" h
        WHERE h."organizationId" = o.id AND h."hiddenAt" IS NOT NULL) AS "hiddenGroupIds",
      (SELECT json_build_object('id', g.id, 'key', g.key, 'name', g.name) FROM "AnswerGroup" g
        WHERE g."organizationId" = o.id AND g.key = $2::text) AS "group",
      (SELECT json_build_object('id', a.id, 'externalId', a."externalId", 'name', a.name) FROM "Agent" a
        WHERE a."organizationId" = o.id AND (a.id::text = $3::text OR a."externalId" = $3::text)
        ORDER BY a.id::text = $3::text DESC LIMIT 1) AS agent
    FROM "Organization" o WHERE o.id = $1::uuid`;

// Context reads in flight, per client and arguments: a page asks the same one of several results
// and series calls at once (the overview eight times); they share the one statement.
const contextsInFlight = new WeakMap<Db, Map<string, Promise<ResultsContextRow | null>>>();

/**
 * Everything a results request needs before counting, in one round trip: the
 * organization's zone and settings, its targets, and the group/agent named in
 * the filters (agent by service id first, else by telephony id). A call made
 * while an identical one is still running gets that one's answer.
 */
export function loadResultsContext(
  db: Db,
  q: { organizationId: string; groupKey?: string; agentRef?: string },
): Promise<ResultsContextRow | null> {
  const params = [q.organizationId, q.groupKey ?? null, q.agentRef ?? null];
  const key = JSON.stringify(params);
  let running = contextsInFlight.get(db);
  if (!running) contextsInFlight.set(db, (running = new Map()));
  const shared = running.get(key);
  if (shared) return shared;
  const read = sqlRows(db, contextRow, CONTEXT_SQL, params).then((rows) => rows[0] ?? null);
  running.set(key, read);
  const done = () => running.delete(key);
  read.then(done, done);
  return read;
}

export const toTargetDefs = (rows: ResultsContextRow["targets"]) =>
  rows.map((t) => ({
    questionKey: t.questionKey,
    metric: t.metric === "satisfiedShare" ? ("satisfiedShare" as const) : ("mean" as const),
    threshold: t.threshold,
    upper: t.upper,
    validFrom: t.validFrom,
  }));
