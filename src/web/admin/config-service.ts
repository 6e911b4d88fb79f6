import { z } from "zod";
import type { Db } from "../../lib/db.js";
import { AppError, parseOrThrow } from "../../lib/errors.js";
import { audit } from "../../audit/log.js";
import { callingHoursProblem } from "../../intake/calling-window.js";
import { saveGroup, saveOrganizationSettings } from "../../organizations/service.js";
import { groupSettingsSchema, orgSettingsSchema, type OrgSettings } from "../../organizations/settings.js";
import { deleteTarget as deleteTargetRow, findTarget, saveTarget } from "../../results/target-repository.js";

/**
 * What an administrator may change from the web: organization settings
 * (sampling, calling hours, …), per-svarsgrupp overrides and targets. Every
 * change is validated with the same schemas the domain reads, and audited
 * with what changed.
 */
export interface Actor {
  organizationId: string;
  userId: string;
  ip?: string | null;
}

const callingHours = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .superRefine((v, c) => {
    const problem = callingHoursProblem(v);
    if (problem) c.addIssue({ code: "custom", message: problem });
  });

/** Form fields as strings; percentages as the enhetschef thinks of them. */
export const settingsFormSchema = z.object({
  samplePercent: z.coerce.number().min(0).max(100),
  callingHours,
  skipPublicHolidays: z.boolean(),
  surveyDelaySeconds: z.coerce.number().int().min(0).max(86_400),
  minAnswersForResult: z.coerce.number().int().min(1).max(10_000),
  audioRetentionDaysAfterReview: z.coerce.number().int().min(1).max(3650),
  nkiQuestion: z.string().regex(/^(all-questions|[a-z0-9_]{1,40})$/),
});
export type SettingsForm = z.input<typeof settingsFormSchema>;

function changes(before: Record<string, unknown>, after: Record<string, unknown>) {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(after))
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = { from: before[k] ?? null, to: after[k] };
  return out;
}

export async function updateOrgSettings(db: Db, actor: Actor, form: SettingsForm): Promise<OrgSettings> {
  const f = parseOrThrow(settingsFormSchema, form, "settings");
  const org = await db.organization.findUniqueOrThrow({
    where: { id: actor.organizationId },
    select: { settings: true },
  });
  const before = orgSettingsSchema.parse(org.settings);
  const after = orgSettingsSchema.parse({
    ...before,
    sampleRate: Math.round(f.samplePercent * 100) / 10_000,
    callingHours: f.callingHours,
    skipPublicHolidays: f.skipPublicHolidays,
    surveyDelaySeconds: f.surveyDelaySeconds,
    minAnswersForResult: f.minAnswersForResult,
    audioRetentionDaysAfterReview: f.audioRetentionDaysAfterReview,
    nkiDefinition:
      f.nkiQuestion === "all-questions" ? { kind: "all-questions" } : { kind: "question", questionKey: f.nkiQuestion },
  });
  const diff = changes(before, after);
  if (Object.keys(diff).length === 0) return after;
  await saveOrganizationSettings(db, actor.organizationId, after);
  await audit(db, {
    organizationId: actor.organizationId,
    actorUserId: actor.userId,
    action: "settings.update",
    targetType: "organization",
    targetId: actor.organizationId,
    detail: diff,
    ip: actor.ip,
  });
  return after;
}

export const groupFormSchema = z.object({
  name: z.string().trim().min(1).max(120),
  /** Empty = use the organization's. */
  samplePercent: z.union([z.literal(""), z.coerce.number().min(0).max(100)]),
  callingHours: z.union([z.literal(""), callingHours]),
});
export type GroupForm = z.input<typeof groupFormSchema>;

export async function updateGroup(db: Db, actor: Actor, groupId: string, form: GroupForm) {
  const f = parseOrThrow(groupFormSchema, form, "svarsgrupp");
  const group = await db.answerGroup.findFirst({
    where: { id: groupId, organizationId: actor.organizationId },
    select: { name: true, settings: true },
  });
  if (!group) throw new AppError("not_found", "No such svarsgrupp");
  // zod 4's partial() still fills defaults, so only the keys the group really stores count.
  const stored = groupSettingsSchema.parse(group.settings);
  const before = Object.fromEntries(
    Object.keys((group.settings ?? {}) as object).map((k) => [k, stored[k as keyof typeof stored]]),
  );
  const next: Record<string, unknown> = { ...before };
  if (f.samplePercent === "") delete next.sampleRate;
  else next.sampleRate = Math.round(Number(f.samplePercent) * 100) / 10_000;
  if (f.callingHours === "") delete next.callingHours;
  else next.callingHours = f.callingHours;
  const parsed = groupSettingsSchema.parse(next);
  const after = Object.fromEntries(Object.keys(next).map((k) => [k, parsed[k as keyof typeof parsed]]));
  const diff = changes(
    { name: group.name, ...before },
    { name: f.name, sampleRate: after.sampleRate, callingHours: after.callingHours },
  );
  if (Object.keys(diff).length === 0) return;
  await saveGroup(db, groupId, { name: f.name, settings: after });
  await audit(db, {
    organizationId: actor.organizationId,
    actorUserId: actor.userId,
    action: "group.update",
    targetType: "group",
    targetId: groupId,
    detail: diff,
    ip: actor.ip,
  });
}

export const targetFormSchema = z
  .object({
    questionKey: z.string().regex(/^(overall|[a-z0-9_]{1,40})$/, "a question key or overall"),
    metric: z.enum(["mean", "satisfiedShare"]),
    /** A mean on 1–5, or a share in percent. */
    threshold: z.coerce.number().min(0).max(100),
    validFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD"),
  })
  .superRefine((t, c) => {
    if (t.metric === "mean" && (t.threshold < 1 || t.threshold > 5))
      c.addIssue({ code: "custom", path: ["threshold"], message: "a mean target is between 1 and 5" });
  });
export type TargetForm = z.input<typeof targetFormSchema>;

export async function addTarget(db: Db, actor: Actor, form: TargetForm) {
  const f = parseOrThrow(targetFormSchema, form, "target");
  const threshold = f.metric === "satisfiedShare" ? f.threshold / 100 : f.threshold;
  const t = await saveTarget(db, {
    organizationId: actor.organizationId,
    questionKey: f.questionKey,
    metric: f.metric,
    threshold,
    validFrom: new Date(`${f.validFrom}T00:00:00Z`),
  });
  await audit(db, {
    organizationId: actor.organizationId,
    actorUserId: actor.userId,
    action: "target.set",
    targetType: "target",
    targetId: t.id,
    detail: { questionKey: f.questionKey, metric: f.metric, threshold, validFrom: f.validFrom },
    ip: actor.ip,
  });
  return t;
}

export async function deleteTarget(db: Db, actor: Actor, targetId: string) {
  const t = await findTarget(db, actor.organizationId, targetId);
  if (!t) throw new AppError("not_found", "No such target");
  await deleteTargetRow(db, t.id);
  await audit(db, {
    organizationId: actor.organizationId,
    actorUserId: actor.userId,
    action: "target.delete",
    targetType: "target",
    targetId: t.id,
    detail: {
      questionKey: t.questionKey,
      metric: t.metric,
      threshold: t.threshold,
      validFrom: t.validFrom.toISOString().slice(0, 10),
    },
    ip: actor.ip,
  });
}

export async function listTargets(db: Db, organizationId: string) {
  return db.target.findMany({
    where: { organizationId },
    orderBy: [{ questionKey: "asc" }, { metric: "asc" }, { validFrom: "desc" }],
  });
}

export async function listGroups(db: Db, organizationId: string) {
  const rows = await db.answerGroup.findMany({
    where: { organizationId },
    orderBy: { key: "asc" },
    select: { id: true, key: true, name: true, settings: true },
  });
  return rows.map((g) => {
    const parsed = groupSettingsSchema.parse(g.settings);
    const own = Object.keys((g.settings ?? {}) as object);
    return { ...g, settings: Object.fromEntries(own.map((k) => [k, parsed[k as keyof typeof parsed]])) };
  });
}
