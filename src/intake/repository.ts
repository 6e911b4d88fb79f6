import type { Db } from "../lib/db.js";
import type { SkipReason } from "./sampling.js";

/** Reads intake needs, each one query for a whole batch. */

export interface StoredDecision {
  externalCallId: string;
  decision: "scheduled" | "skipped";
  reason: SkipReason | null;
  dueAt: Date | null;
}

/** The due time decided at intake, kept in the survey's first event (nextAttemptAt moves on with retries). */
function dueFromEvents(events: { detail: unknown }[] | undefined): Date | null {
  const due = (events?.[0]?.detail as { dueAt?: string } | null | undefined)?.dueAt;
  return due ? new Date(due) : null;
}

export const SCHEDULED_EVENT = "scheduled";

export async function findDecisions(db: Db, organizationId: string, externalCallIds: string[]): Promise<Map<string, StoredDecision>> {
  if (externalCallIds.length === 0) return new Map();
  const rows = await db.completedCall.findMany({
    where: { organizationId, externalCallId: { in: externalCallIds } },
    select: {
      externalCallId: true,
      decision: true,
      skipReason: true,
      survey: { select: { events: { where: { type: SCHEDULED_EVENT }, orderBy: { at: "asc" }, take: 1, select: { detail: true } } } },
    },
  });
  return new Map(
    rows.map((r) => [
      r.externalCallId,
      {
        externalCallId: r.externalCallId,
        decision: r.decision as StoredDecision["decision"],
        reason: (r.skipReason as SkipReason | null) ?? null,
        dueAt: dueFromEvents(r.survey?.events),
      },
    ]),
  );
}

export async function findOptedOut(db: Db, organizationId: string, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db.optOut.findMany({ where: { organizationId, numberHash: { in: hashes } }, select: { numberHash: true } });
  return new Set(rows.map((r) => r.numberHash));
}

/** Latest time each number had a survey scheduled, looking back to `since`. */
export async function findRecentSurveys(db: Db, organizationId: string, hashes: string[], since: Date): Promise<Map<string, Date>> {
  if (hashes.length === 0) return new Map();
  const rows = await db.completedCall.groupBy({
    by: ["callerHash"],
    where: { organizationId, callerHash: { in: hashes }, decision: "scheduled", receivedAt: { gte: since } },
    _max: { receivedAt: true },
  });
  return new Map(rows.filter((r) => r.callerHash && r._max.receivedAt).map((r) => [r.callerHash!, r._max.receivedAt!]));
}

export async function findCallStatus(db: Db, organizationId: string, externalCallId: string) {
  return db.completedCall.findUnique({
    where: { organizationId_externalCallId: { organizationId, externalCallId } },
    select: {
      externalCallId: true,
      decision: true,
      skipReason: true,
      survey: {
        select: {
          state: true,
          attempts: true,
          answers: { orderBy: { answeredAt: "asc" }, select: { questionKey: true, score: true, answeredAt: true } },
          voiceMessage: { select: { durationSeconds: true, state: true } },
          events: { where: { type: SCHEDULED_EVENT }, orderBy: { at: "asc" }, take: 1, select: { detail: true } },
        },
      },
    },
  });
}

export { dueFromEvents };
