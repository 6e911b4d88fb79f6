import { z } from "zod";
import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import { AppError, parseOrThrow } from "../lib/errors.js";
import { getOrganization } from "../organizations/service.js";
import {
  countCarriedOver,
  countPerWeek,
  countUnreviewedBefore,
  countWeek,
  distinctForvaltningar,
  findForOrganization,
  findNextUnreviewed,
  findQueuePage,
  findScores,
  type QueueRow,
} from "./repository.js";
import {
  addWeeks,
  compareWeeks,
  formatIsoWeek,
  needsRegistration,
  parseIsoWeek,
  weekOf,
  weekRange,
  type IsoWeek,
} from "./rules.js";

/** Who acts: the signed-in user (route) or a test. Agents never review. */
export interface Actor {
  id: string;
  organizationId: string;
  role: "admin" | "manager" | "agent";
  ip?: string | null;
}

/** 20 messages a page: on a 375 px phone about 17,000 px tall (see README), and a page is a URL. */
export const PAGE_SIZE = 20;
const RECENT_WEEKS = 8;

export function assertReviewer(actor: Actor) {
  if (actor.role !== "admin" && actor.role !== "manager")
    throw new AppError("forbidden", "Only a manager or an admin reviews voice messages");
}

export const queueQuerySchema = z.object({
  week: z
    .string()
    .refine((s) => parseIsoWeek(s) !== null, "expected an ISO week such as 2025-W14")
    .optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export interface QueueItem {
  id: string;
  recordedAt: Date;
  groupName: string;
  agentName: string;
  scores: Record<string, number>;
  durationSeconds: number;
  /** "voice" (a recording to play) or "text" (the web survey's written comment, shown as text). */
  kind: "voice" | "text";
  /** The written comment (masked when stored); null once retention removed it. */
  text: string | null;
  audioAvailable: boolean;
  contentType: string | null;
  listenedAt: Date | null;
  classification: string | null;
  forvaltning: string | null;
  note: string | null;
  caseReference: string | null;
  registeredAt: Date | null;
  reviewed: boolean;
  reviewedAt: Date | null;
  needsRegistration: boolean;
  audioPurgedAt: Date | null;
  /** Recorded in an earlier week and still unreviewed. */
  carriedOver: boolean;
}

function toItem(r: QueueRow, scores: Record<string, number>, weekStart: Date): QueueItem {
  return {
    id: r.id,
    recordedAt: r.recordedAt,
    groupName: r.group.name,
    agentName: r.agent.name ?? r.agent.externalId,
    scores,
    durationSeconds: r.durationSeconds,
    kind: r.kind === "text" ? "text" : "voice",
    text: r.kind === "text" ? r.text : null,
    audioAvailable: r.state === "stored" && r.kind !== "text",
    contentType: r.contentType,
    listenedAt: r.listenedAt,
    classification: r.classification,
    forvaltning: r.forvaltning,
    note: r.note,
    caseReference: r.caseReference,
    registeredAt: r.registeredAt,
    reviewed: r.reviewedAt !== null,
    reviewedAt: r.reviewedAt,
    needsRegistration: needsRegistration(r.classification),
    audioPurgedAt: r.audioPurgedAt,
    carriedOver: r.reviewedAt === null && r.recordedAt < weekStart,
  };
}

/**
 * The listening queue of one ISO week (default: the current week in the
 * organization's time zone). The current week also carries every unreviewed
 * message of earlier weeks, marked `carriedOver`.
 */
export async function getWeekQueue(ctx: AppContext, actor: Actor, query: { week?: string; page?: number | string }) {
  assertReviewer(actor);
  const q = parseOrThrow(queueQuerySchema, query, "query");
  const { org, tz, current, week, isCurrent, start, end, scope } = await queueScope(ctx, actor, q.week);

  const offset = (q.page - 1) * PAGE_SIZE;
  const [counts, carriedOver, recent, forvaltningar] = await Promise.all([
    countWeek(ctx.prisma, org.id, start, end),
    isCurrent ? countCarriedOver(ctx.prisma, org.id, start) : Promise.resolve(0),
    recentWeeks(ctx, org.id, tz, week),
    distinctForvaltningar(ctx.prisma, org.id, new Date(start.getTime() - 365 * 86_400_000)),
  ]);
  const unreviewed = counts.unreviewed + carriedOver;
  const totalItems = counts.total + carriedOver;
  const rows = await findQueuePage(ctx.prisma, scope, { unreviewed }, offset, PAGE_SIZE);
  const scores = await findScores(
    ctx.prisma,
    rows.map((r) => r.surveyId),
  );
  // Reading a written comment is audited like playing a recording: one row per page that showed any.
  const shown = rows.filter((r) => r.kind === "text" && r.text !== null).map((r) => r.id);
  if (shown.length > 0) await auditTextRead(ctx, actor, shown);
  return {
    week: formatIsoWeek(week),
    isCurrentWeek: isCurrent,
    timeZone: tz,
    start,
    end,
    previousWeek: formatIsoWeek(addWeeks(week, -1)),
    nextWeek: compareWeeks(week, current) < 0 ? formatIsoWeek(addWeeks(week, 1)) : null,
    currentWeek: formatIsoWeek(current),
    counts: { ...counts, carriedOver },
    recentWeeks: recent,
    page: q.page,
    pageSize: PAGE_SIZE,
    totalItems,
    pageCount: Math.max(1, Math.ceil(totalItems / PAGE_SIZE)),
    items: rows.map((r) => toItem(r, scores.get(r.surveyId) ?? {}, start)),
    forvaltningar,
  };
}

export type WeekQueue = Awaited<ReturnType<typeof getWeekQueue>>;

/** The week a queue page shows (default: the current one) and the messages it holds. */
async function queueScope(ctx: AppContext, actor: Actor, weekParam: string | undefined) {
  const org = await getOrganization(ctx.prisma, actor.organizationId);
  const tz = org.timeZone;
  const current = weekOf(ctx.now(), tz);
  const week: IsoWeek = weekParam ? parseIsoWeek(weekParam)! : current;
  const isCurrent = compareWeeks(week, current) === 0;
  const { start, end } = weekRange(week, tz);
  const scope = { organizationId: org.id, start, end, carryOver: isCurrent };
  return { org, tz, current, week, isCurrent, start, end, scope };
}

const weekParamSchema = z.object({ week: queueQuerySchema.shape.week });

/**
 * The figures at the top of a week's queue page, as they are now: what a
 * save answers with, so the page's counts stay right without a reload.
 */
export async function getWeekCounts(ctx: AppContext, actor: Actor, query: { week?: string }) {
  assertReviewer(actor);
  const q = parseOrThrow(weekParamSchema, query, "query");
  const { org, isCurrent, start, end } = await queueScope(ctx, actor, q.week);
  const [counts, carriedOver] = await Promise.all([
    countWeek(ctx.prisma, org.id, start, end),
    isCurrent ? countCarriedOver(ctx.prisma, org.id, start) : Promise.resolve(0),
  ]);
  return { ...counts, carriedOver };
}

export type WeekCounts = Awaited<ReturnType<typeof getWeekCounts>>;

/**
 * "Spara och nästa": the next unreviewed message of the week's queue after
 * `afterId` in queue order (wrapping to the first), with the page it is on
 * now. Null when nothing else is left to review.
 */
export async function nextUnreviewed(
  ctx: AppContext,
  actor: Actor,
  query: { week?: string },
  afterId: string,
): Promise<{ id: string; page: number } | null> {
  assertReviewer(actor);
  const q = parseOrThrow(weekParamSchema, query, "query");
  const { scope } = await queueScope(ctx, actor, q.week);
  const after = await findForOrganization(ctx.prisma, actor.organizationId, afterId);
  if (!after) return null;
  const next = await findNextUnreviewed(ctx.prisma, scope, after, afterId);
  if (!next) return null;
  // Unreviewed messages lead the queue, oldest first: the count before it is its position.
  const position = await countUnreviewedBefore(ctx.prisma, scope, next);
  return { id: next.id, page: Math.floor(position / PAGE_SIZE) + 1 };
}

/** The audit row for written comments shown to a reviewer (the counterpart of voice-message.play). */
async function auditTextRead(ctx: AppContext, actor: Actor, ids: string[]) {
  await audit(ctx.prisma, {
    organizationId: actor.organizationId,
    actorUserId: actor.id,
    action: "voice-message.read-text",
    targetType: "voice-message",
    targetId: ids.length === 1 ? ids[0] : null,
    detail: { ids },
    ip: actor.ip ?? null,
  });
}

/** Totals of the weeks up to and including `week`, newest first (weeks without messages show 0). */
async function recentWeeks(ctx: AppContext, organizationId: string, tz: string, week: IsoWeek) {
  const first = addWeeks(week, -(RECENT_WEEKS - 1));
  const rows = await countPerWeek(ctx.prisma, organizationId, tz, weekRange(first, tz).start, weekRange(week, tz).end);
  const byMonday = new Map(rows.map((r) => [r.monday.toISOString().slice(0, 10), r]));
  return Array.from({ length: RECENT_WEEKS }, (_, i) => {
    const w = addWeeks(week, -i);
    const monday = weekRange(w, "UTC").start.toISOString().slice(0, 10);
    const r = byMonday.get(monday);
    return { week: formatIsoWeek(w), total: r?.total ?? 0, unreviewed: r?.unreviewed ?? 0 };
  });
}

export async function loadForReview(ctx: AppContext, actor: Actor, id: string) {
  assertReviewer(actor);
  const m = await findForOrganization(ctx.prisma, actor.organizationId, id);
  // Another organization's message is indistinguishable from a missing one.
  if (!m) throw new AppError("not_found", "No such voice message");
  return m;
}

export interface ReviewSummary {
  /** Voice messages recorded in the period (stored or purged). */
  total: number;
  unreviewed: number;
  /** Per classification: how many, and of the synpunkter how many are registered in the case system. */
  byCategory: { classification: string; total: number; registered: number; needsRegistration: boolean }[];
  /** Per förvaltning named by the reviewer ("" = none named). */
  byForvaltning: { forvaltning: string; total: number; registered: number; notRegistered: number }[];
  /** Synpunkter (klagomål, beröm, förslag): registered vs not yet. */
  registered: number;
  notRegistered: number;
  /** The newest reviewer notes of the period, as examples. */
  examples: {
    recordedAt: Date;
    classification: string | null;
    forvaltning: string | null;
    groupName: string;
    note: string;
  }[];
}

/**
 * What the listening queue found in [start, end): counts per category and
 * förvaltning, registered vs not, and a few of the reviewers' notes. For the
 * tertial and weekly reports, which read the queue only through this.
 */
export async function summarizeReviews(
  ctx: AppContext,
  actor: Actor,
  input: { start: Date; end: Date; examples?: number },
): Promise<ReviewSummary> {
  assertReviewer(actor);
  const where = {
    organizationId: actor.organizationId,
    state: { in: ["stored" as const, "purged" as const] },
    recordedAt: { gte: input.start, lt: input.end },
  };
  const [rows, notes] = await Promise.all([
    ctx.prisma.voiceMessage.groupBy({
      by: ["classification", "forvaltning"],
      where,
      _count: { _all: true, registeredAt: true, reviewedAt: true },
    }),
    ctx.prisma.voiceMessage.findMany({
      where: { ...where, note: { not: null } },
      orderBy: { recordedAt: "desc" },
      take: input.examples ?? 5,
      select: {
        recordedAt: true,
        classification: true,
        forvaltning: true,
        note: true,
        group: { select: { name: true } },
      },
    }),
  ]);
  const cats = new Map<string, ReviewSummary["byCategory"][number]>();
  const forv = new Map<string, ReviewSummary["byForvaltning"][number]>();
  let total = 0;
  let unreviewed = 0;
  let registered = 0;
  let notRegistered = 0;
  for (const r of rows) {
    const n = r._count._all;
    total += n;
    unreviewed += n - r._count.reviewedAt;
    const needs = needsRegistration(r.classification);
    const reg = needs ? r._count.registeredAt : 0;
    if (needs) {
      registered += reg;
      notRegistered += n - reg;
    }
    if (r.classification) {
      const c = cats.get(r.classification) ?? {
        classification: r.classification,
        total: 0,
        registered: 0,
        needsRegistration: needs,
      };
      c.total += n;
      c.registered += reg;
      cats.set(r.classification, c);
    }
    if (needs) {
      const key = r.forvaltning ?? "";
      const f = forv.get(key) ?? { forvaltning: key, total: 0, registered: 0, notRegistered: 0 };
      f.total += n;
      f.registered += reg;
      f.notRegistered += n - reg;
      forv.set(key, f);
    }
  }
  return {
    total,
    unreviewed,
    byCategory: [...cats.values()].sort(
      (a, b) => b.total - a.total || a.classification.localeCompare(b.classification),
    ),
    byForvaltning: [...forv.values()].sort(
      (a, b) => b.total - a.total || a.forvaltning.localeCompare(b.forvaltning, "sv"),
    ),
    registered,
    notRegistered,
    examples: notes.map((m) => ({
      recordedAt: m.recordedAt,
      classification: m.classification,
      forvaltning: m.forvaltning,
      groupName: m.group.name,
      note: m.note!,
    })),
  };
}
