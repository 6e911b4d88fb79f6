import { z } from "zod";
import { listAudit } from "../audit/log.js";
import type { AppContext } from "../context.js";
import { parseOrThrow } from "../lib/errors.js";
import { getOrganization } from "../organizations/service.js";
import { findMessageLabels } from "./repository.js";
import { addWeeks, compareWeeks, formatIsoWeek, parseIsoWeek, weekOf, weekRange, type IsoWeek } from "./rules.js";
import { assertReviewer, type Actor } from "./service.js";

/** A week of a busy unit: a few hundred messages, each played and saved a few times. */
export const HISTORY_LIMIT = 2000;

const historyQuerySchema = z.object({
  week: z
    .string()
    .refine((s) => parseIsoWeek(s) !== null, "expected an ISO week such as 2026-W48")
    .optional(),
});

export interface HistoryEntry {
  at: Date;
  actor: string;
  /** The audit action without its "voice-message." prefix: play, listened, classify, … */
  action: string;
  messageId: string;
  /** Null when the message has since been deleted (retention or forget): the entry stays. */
  message: { recordedAt: Date; groupName: string; week: string } | null;
}

/**
 * Who listened to and handled which voice message in a week (by the time of
 * the action), newest first: the enhetschef's view of the audit log for the
 * listening queue. Admins see the same here and everything on /admin/audit.
 */
export async function getListeningHistory(ctx: AppContext, actor: Actor, query: { week?: string }) {
  assertReviewer(actor);
  const q = parseOrThrow(historyQuerySchema, query, "query");
  const org = await getOrganization(ctx.prisma, actor.organizationId);
  const current = weekOf(ctx.now(), org.timeZone);
  const week: IsoWeek = q.week ? parseIsoWeek(q.week)! : current;
  const { start, end } = weekRange(week, org.timeZone);
  const rows = await listAudit(ctx.prisma, org.id, {
    actionPrefix: "voice-message.",
    from: start,
    before: end,
    limit: HISTORY_LIMIT + 1,
  });
  const kept = rows.slice(0, HISTORY_LIMIT).filter((r) => r.targetId);
  const labels = await findMessageLabels(ctx.prisma, org.id, [...new Set(kept.map((r) => r.targetId!))]);
  const entries: HistoryEntry[] = kept.map((r) => {
    const m = labels.get(r.targetId!);
    return {
      at: r.at,
      actor: r.actor?.replace(/ <[^>]*>$/, "") ?? "–",
      action: r.action.slice("voice-message.".length),
      messageId: r.targetId!,
      message: m ? { ...m, week: formatIsoWeek(weekOf(m.recordedAt, org.timeZone)) } : null,
    };
  });
  return {
    week: formatIsoWeek(week),
    timeZone: org.timeZone,
    previousWeek: formatIsoWeek(addWeeks(week, -1)),
    nextWeek: compareWeeks(week, current) < 0 ? formatIsoWeek(addWeeks(week, 1)) : null,
    truncated: rows.length > HISTORY_LIMIT,
    entries,
  };
}

export type ListeningHistory = Awaited<ReturnType<typeof getListeningHistory>>;
