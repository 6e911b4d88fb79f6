import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";

/** Voice messages that belong in the queue: audio stored, or purged after review. */
export const QUEUE_STATES = ["stored", "purged"] as const;

export const queueItemSelect = {
  id: true,
  surveyId: true,
  state: true,
  kind: true,
  text: true,
  contentType: true,
  durationSeconds: true,
  recordedAt: true,
  listenedAt: true,
  classification: true,
  forvaltning: true,
  note: true,
  caseReference: true,
  registeredAt: true,
  reviewedAt: true,
  audioPurgedAt: true,
  group: { select: { name: true } },
  agent: { select: { name: true, externalId: true } },
} as const;

interface Scope {
  organizationId: string;
  start: Date;
  end: Date;
  /** Include unreviewed messages recorded before start (the current week's queue). */
  carryOver: boolean;
}

function unreviewedWhere(s: Scope) {
  return {
    organizationId: s.organizationId,
    state: { in: [...QUEUE_STATES] },
    reviewedAt: null,
    recordedAt: s.carryOver ? { lt: s.end } : { gte: s.start, lt: s.end },
  };
}

function reviewedWhere(s: Scope) {
  return {
    organizationId: s.organizationId,
    state: { in: [...QUEUE_STATES] },
    reviewedAt: { not: null },
    recordedAt: { gte: s.start, lt: s.end },
  };
}

/**
 * One page of the queue in its order: unreviewed (oldest first, so
 * carried-over messages lead) then reviewed. `reviewedAt` is kept non-null
 * exactly when a message is reviewed, which lets the index order it. The
 * caller passes the two totals it already counted. countAheadInQueue (below)
 * counts in the same order: change both together.
 */
export async function findQueuePage(db: Db, s: Scope, totals: { unreviewed: number }, offset: number, limit: number) {
  const order = [{ recordedAt: "asc" as const }, { id: "asc" as const }];
  const first =
    offset < totals.unreviewed
      ? await db.voiceMessage.findMany({
          where: unreviewedWhere(s),
          orderBy: order,
          skip: offset,
          take: limit,
          select: queueItemSelect,
        })
      : [];
  const remaining = limit - first.length;
  const second =
    remaining > 0
      ? await db.voiceMessage.findMany({
          where: reviewedWhere(s),
          orderBy: order,
          skip: Math.max(0, offset - totals.unreviewed),
          take: remaining,
          select: queueItemSelect,
        })
      : [];
  return first.concat(second);
}

export type QueueRow = Awaited<ReturnType<typeof findQueuePage>>[number];

/** (recordedAt, id) after the given message, in the queue's order. */
const afterWhere = (m: { recordedAt: Date; id: string }) => ({
  OR: [{ recordedAt: { gt: m.recordedAt } }, { recordedAt: m.recordedAt, id: { gt: m.id } }],
});

/**
 * The first unreviewed message after `m` in queue order, else the first one
 * before it (wrapping round); never `excludeId` itself.
 */
export async function findNextUnreviewed(
  db: Db,
  s: Scope,
  m: { recordedAt: Date },
  excludeId: string,
): Promise<{ id: string; recordedAt: Date } | null> {
  const order = [{ recordedAt: "asc" as const }, { id: "asc" as const }];
  const select = { id: true, recordedAt: true } as const;
  const base = unreviewedWhere(s);
  const after = await db.voiceMessage.findFirst({
    where: { ...base, ...afterWhere({ recordedAt: m.recordedAt, id: excludeId }) },
    orderBy: order,
    select,
  });
  if (after) return after;
  return db.voiceMessage.findFirst({ where: { ...base, id: { not: excludeId } }, orderBy: order, select });
}

/** How many unreviewed messages come before `m` in the queue: its 0-based position. */
export async function countUnreviewedBefore(db: Db, s: Scope, m: { recordedAt: Date; id: string }) {
  return db.voiceMessage.count({
    where: {
      ...unreviewedWhere(s),
      NOT: afterWhere(m),
      id: { not: m.id },
    },
  });
}

/** Scores per survey, keyed by questionKey. */
export async function findScores(db: Db, surveyIds: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (surveyIds.length === 0) return out;
  const answers = await db.answer.findMany({
    where: { surveyId: { in: surveyIds } },
    select: { surveyId: true, questionKey: true, score: true },
  });
  for (const a of answers) {
    const m = out.get(a.surveyId) ?? {};
    m[a.questionKey] = a.score;
    out.set(a.surveyId, m);
  }
  return out;
}

/**
 * Counts for the messages recorded in [start, end): total, unreviewed,
 * listened and per classification, in one pass (raw SQL: Prisma's groupBy
 * has no FILTER aggregates, and three queries cost three round trips).
 */
export async function countWeek(db: Db, organizationId: string, start: Date, end: Date) {
  const rows = await db.$queryRaw<
    { classification: string | null; total: bigint; unreviewed: bigint; listened: bigint }[]
  >`
    SELECT classification, count(*) AS total,
           count(*) FILTER (WHERE "reviewedAt" IS NULL) AS unreviewed,
           count(*) FILTER (WHERE "listenedAt" IS NOT NULL) AS listened
    FROM "VoiceMessage"
    WHERE "organizationId" = ${organizationId}::uuid AND state IN ('stored', 'purged')
      AND "recordedAt" >= ${start} AND "recordedAt" < ${end}
    GROUP BY classification`;
  const byClassification: Record<string, number> = {};
  let total = 0;
  let unreviewed = 0;
  let listened = 0;
  for (const r of rows) {
    total += Number(r.total);
    unreviewed += Number(r.unreviewed);
    listened += Number(r.listened);
    if (r.classification) byClassification[r.classification] = Number(r.total);
  }
  return { total, unreviewed, listened, byClassification };
}

export async function countCarriedOver(db: Db, organizationId: string, before: Date): Promise<number> {
  return db.voiceMessage.count({
    where: { organizationId, state: { in: [...QUEUE_STATES] }, reviewedAt: null, recordedAt: { lt: before } },
  });
}

/** Messages and unreviewed messages per local ISO week (Monday start) in [start, end). */
export async function countPerWeek(db: Db, organizationId: string, timeZone: string, start: Date, end: Date) {
  const rows = await db.$queryRaw<{ monday: Date; total: bigint; unreviewed: bigint }[]>`
    SELECT date_trunc('week', "recordedAt" AT TIME ZONE ${timeZone})::date AS monday,
           count(*) AS total, count(*) FILTER (WHERE "reviewedAt" IS NULL) AS unreviewed
    FROM "VoiceMessage"
    WHERE "organizationId" = ${organizationId}::uuid AND state IN ('stored', 'purged')
      AND "recordedAt" >= ${start} AND "recordedAt" < ${end}
    GROUP BY 1 ORDER BY 1`;
  return rows.map((r) => ({ monday: r.monday, total: Number(r.total), unreviewed: Number(r.unreviewed) }));
}

/**
 * Förvaltningar used in the organization the last year, as suggestions for
 * the free-text field (bounded so the scan stays a year's messages at most).
 */
export async function distinctForvaltningar(
  db: Db,
  organizationId: string,
  since: Date,
  limit = 50,
): Promise<string[]> {
  const rows = await db.voiceMessage.findMany({
    where: { organizationId, recordedAt: { gte: since }, forvaltning: { not: null } },
    distinct: ["forvaltning"],
    select: { forvaltning: true },
    orderBy: { forvaltning: "asc" },
    take: limit,
  });
  return rows.map((r) => r.forvaltning!).filter(Boolean);
}

export const reviewSelect = {
  id: true,
  recordedAt: true,
  organizationId: true,
  state: true,
  storageKey: true,
  contentType: true,
  sizeBytes: true,
  listenedAt: true,
  classification: true,
  forvaltning: true,
  note: true,
  caseReference: true,
  registeredAt: true,
  reviewedAt: true,
  reviewedById: true,
} as const;

export async function findForOrganization(db: Db, organizationId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return db.voiceMessage.findFirst({ where: { id, organizationId }, select: reviewSelect });
}

/** What the listening history shows of each message it names: when it was recorded and in which group. */
export async function findMessageLabels(db: Db, organizationId: string, ids: string[]) {
  const rows = await db.voiceMessage.findMany({
    where: { organizationId, id: { in: ids } },
    select: { id: true, recordedAt: true, group: { select: { name: true } } },
  });
  return new Map(rows.map((r) => [r.id, { recordedAt: r.recordedAt, groupName: r.group.name }]));
}

/** A message to place in its week's queue: the week's bounds, and whether that week carries over older ones. */
export interface QueueSpotTarget {
  id: string;
  start: Date;
  end: Date;
  /** The current week: unreviewed messages of earlier weeks lead its queue. */
  carryOver: boolean;
}

const aheadRow = z.strictObject({ id: z.string(), ahead: z.string() });
const IN_QUEUE = `IN (${QUEUE_STATES.map((s) => `'${s}'`).join(", ")})`;

/**
 * How many messages come before each one in its week's queue, in
 * findQueuePage's order (unreviewed oldest first, earlier weeks' included
 * when the week carries over, then reviewed oldest first; ties by id). One
 * statement for a page of search hits. Messages not in the queue (not stored
 * or purged, or another organization's) are left out of the map.
 */
export async function countAheadInQueue(
  db: Db,
  organizationId: string,
  targets: QueueSpotTarget[],
): Promise<Map<string, number>> {
  if (targets.length === 0) return new Map();
  const unreviewedBefore = (bound: string) =>
    `(SELECT count(*) FROM "VoiceMessage" v
       WHERE v."organizationId" = $1::uuid AND v.state ${IN_QUEUE} AND v."reviewedAt" IS NULL
         AND v."recordedAt" >= COALESCE(x.lo, '-infinity'::timestamptz) AND v."recordedAt" < x.hi ${bound})`;
  const rows = await sqlRows(
    db,
    aheadRow,
    `SELECT m.id,
            (CASE WHEN m."reviewedAt" IS NULL
                  THEN ${unreviewedBefore(`AND (v."recordedAt", v.id) < (m."recordedAt", m.id)`)}
                  ELSE ${unreviewedBefore("")} +
                       (SELECT count(*) FROM "VoiceMessage" v
                         WHERE v."organizationId" = $1::uuid AND v.state ${IN_QUEUE} AND v."reviewedAt" IS NOT NULL
                           AND v."recordedAt" >= x.start AND v."recordedAt" < x.hi
                           AND (v."recordedAt", v.id) < (m."recordedAt", m.id))
             END)::text AS ahead
       FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) AS x(id, start, lo, hi)
       JOIN "VoiceMessage" m ON m.id = x.id AND m."organizationId" = $1::uuid AND m.state ${IN_QUEUE}`,
    [
      organizationId,
      targets.map((t) => t.id),
      targets.map((t) => t.start),
      targets.map((t) => (t.carryOver ? null : t.start)),
      targets.map((t) => t.end),
    ],
  );
  return new Map(rows.map((r) => [r.id, Number(r.ahead)]));
}
