import type { Prisma as PrismaNs } from "../generated/prisma/client.js";
import type { Db } from "../lib/db.js";

/**
 * The audit log: who did what, when. Recording playbacks, reviews, sign-ins
 * and configuration changes all go through here. Detail must never carry a
 * phone number or a password; callers pass ids and changed field names/values.
 */
export interface AuditInput {
  organizationId: string;
  actorUserId?: string | null;
  /** Dotted verb, e.g. "auth.login", "voice-message.play", "settings.update". */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
}

export async function audit(db: Db, e: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      organizationId: e.organizationId,
      actorUserId: e.actorUserId ?? null,
      action: e.action,
      targetType: e.targetType ?? null,
      targetId: e.targetId ?? null,
      detail: (e.detail ?? undefined) as PrismaNs.InputJsonValue | undefined,
      ip: e.ip ?? null,
    },
  });
}

export interface AuditRow {
  id: string;
  at: Date;
  action: string;
  actor: string | null;
  targetType: string | null;
  targetId: string | null;
  detail: unknown;
  ip: string | null;
}

/** Newest first, optionally narrowed to an action prefix (e.g. "voice-message.") and a time range [from, before). */
export async function listAudit(
  db: Db,
  organizationId: string,
  opts: { limit?: number; actionPrefix?: string; before?: Date; from?: Date } = {},
): Promise<AuditRow[]> {
  const rows = await db.auditEvent.findMany({
    where: {
      organizationId,
      ...(opts.actionPrefix ? { action: { startsWith: opts.actionPrefix } } : {}),
      ...(opts.before || opts.from
        ? { at: { ...(opts.before ? { lt: opts.before } : {}), ...(opts.from ? { gte: opts.from } : {}) } }
        : {}),
    },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: Math.min(opts.limit ?? 100, 1000),
    select: {
      id: true,
      at: true,
      action: true,
      targetType: true,
      targetId: true,
      detail: true,
      ip: true,
      actor: { select: { name: true, email: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    at: r.at,
    action: r.action,
    actor: r.actor ? `${r.actor.name} <${r.actor.email}>` : null,
    targetType: r.targetType,
    targetId: r.targetId,
    detail: r.detail,
    ip: r.ip,
  }));
}
