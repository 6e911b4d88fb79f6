import { z } from "zod";
import type { Db } from "../../lib/db.js";
import { AppError } from "../../lib/errors.js";
import { audit } from "../../audit/log.js";
import { callingHoursTextProblem, fromSimple } from "../../intake/calling-hours-form.js";
import { parseTargetInput, type TargetInput } from "../../results/target-input.js";
import { QUESTION_ORDER } from "../questions.js";
import { saveGroup, saveOrganizationSettings } from "../../organizations/service.js";
import {
  groupSettingsSchema,
  NOT_IN_NKI_TOTAL_BY_DEFAULT,
  orgSettingsSchema,
  type OrgSettings,
} from "../../organizations/settings.js";
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
    const problem = callingHoursTextProblem(v);
    if (problem) c.addIssue({ code: "custom", message: problem });
  });

/** Decimal comma or point, as people type numbers. */
const decimal = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === "string" ? v.trim().replace(",", ".") : v), z.coerce.number().min(min).max(max));
const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Form fields as strings; percentages as the enhetschef thinks of them. */
export const settingsFormSchema = z.object({
  samplePercent: decimal(0, 100),
  /** Stored-format text; when given it wins over the boxes (several windows need it). */
  callingHours: z.union([z.literal(""), callingHours]).optional(),
  callingDays: z.union([z.string(), z.array(z.string())]).optional(),
  callingFrom: z.string().optional(),
  callingTo: z.string().optional(),
  skipPublicHolidays: z.boolean(),
  surveyDelaySeconds: whole(0, 86_400),
  minAnswersForResult: whole(1, 10_000),
  audioRetentionDaysAfterReview: whole(1, 3650),
  nkiQuestion: z.string().regex(/^(all-questions|[a-z0-9_]{1,40})$/),
  /** Count question 7 (rekommendera) in NKI totalt; off by default. */
  nkiIncludeRecommend: z.boolean().default(false),
  /** Read out before the voice message: where to read more about what is recorded. */
  privacyInfo: z.string().trim().max(200).optional(),
});
export type SettingsForm = z.input<typeof settingsFormSchema>;

/** What a person reads when a field is refused: the field's name on the page and what it takes. */
const SETTINGS_FIELDS: Record<string, string> = {
  samplePercent: "Andel av samtalen som får en enkät: skriv ett tal mellan 0 och 100 (komma eller punkt går bra).",
  surveyDelaySeconds: "Fördröjning efter samtalet: skriv ett helt antal sekunder, 0–86 400.",
  minAnswersForResult: "Minsta antal svar för att visa ett resultat: skriv ett heltal, 1–10 000.",
  audioRetentionDaysAfterReview: "Radera röstmeddelanden efter granskning: skriv ett helt antal dagar, 1–3 650.",
  nkiQuestion: "NKI totalt beräknas som: välj ett alternativ i listan.",
  name: "Namn: skriv ett namn, högst 120 tecken.",
  privacyInfo: "Var man läser mer om inspelningen: högst 200 tecken.",
};

/** Parses a form; a refusal carries a Swedish sentence per field for the page and English for the log/API. */
function parseForm<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => {
    const field = i.path.join(".") || "(body)";
    const swedish = i.code === "custom" ? i.message : (SETTINGS_FIELDS[field] ?? `${field}: ogiltigt värde.`);
    return { field, message: i.message, swedish };
  });
  throw new AppError(
    "validation_failed",
    `Invalid ${what}: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`,
    details.map(({ field, message }) => ({ field, message })),
    [...new Set(details.map((d) => d.swedish))].join(" "),
  );
}

/** Stored calling hours from the form: the text when given, else the weekday boxes and times. */
function callingHoursFromForm(f: {
  callingHours?: string;
  callingDays?: string | string[];
  callingFrom?: string;
  callingTo?: string;
}): string {
  if (f.callingHours) return f.callingHours;
  const days = f.callingDays === undefined ? [] : Array.isArray(f.callingDays) ? f.callingDays : [f.callingDays];
  const r = fromSimple({ days, from: f.callingFrom ?? "", to: f.callingTo ?? "" });
  if (r.ok) return r.callingHours;
  throw new AppError(
    "validation_failed",
    `Invalid settings: ${r.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`,
    r.problems,
    r.problems.map((p) => p.message).join(" "),
  );
}

function changes(before: Record<string, unknown>, after: Record<string, unknown>) {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(after))
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = { from: before[k] ?? null, to: after[k] };
  return out;
}

/** `form` is the posted fields as they came (strings, or a list for the weekday boxes); parsed here. */
export async function updateOrgSettings(db: Db, actor: Actor, form: Record<string, unknown>): Promise<OrgSettings> {
  const f = parseForm(settingsFormSchema, form, "settings");
  const hours = callingHoursFromForm(f);
  const org = await db.organization.findUniqueOrThrow({
    where: { id: actor.organizationId },
    select: { settings: true },
  });
  const before = orgSettingsSchema.parse(org.settings);
  const after = orgSettingsSchema.parse({
    ...before,
    sampleRate: Math.round(f.samplePercent * 100) / 10_000,
    callingHours: hours,
    skipPublicHolidays: f.skipPublicHolidays,
    surveyDelaySeconds: f.surveyDelaySeconds,
    minAnswersForResult: f.minAnswersForResult,
    audioRetentionDaysAfterReview: f.audioRetentionDaysAfterReview,
    privacyInfo: f.privacyInfo ?? before.privacyInfo,
    nkiDefinition:
      f.nkiQuestion === "all-questions"
        ? { kind: "all-questions", exclude: f.nkiIncludeRecommend ? [] : [...NOT_IN_NKI_TOTAL_BY_DEFAULT] }
        : { kind: "question", questionKey: f.nkiQuestion },
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
  samplePercent: z.union([z.literal(""), decimal(0, 100)]),
  /**
   * "org": the organization's hours; "own": the group's, from the same editor as the organization's
   * (boxes, times, holidays; the text wins when filled in). Absent (API and older forms): the text
   * alone, empty meaning the organization's.
   */
  callingMode: z.enum(["org", "own"]).optional(),
  callingHours: z.union([z.literal(""), callingHours]).optional(),
  callingDays: z.union([z.string(), z.array(z.string())]).optional(),
  callingFrom: z.string().optional(),
  callingTo: z.string().optional(),
  skipPublicHolidays: z.boolean().optional(),
});
export type GroupForm = z.input<typeof groupFormSchema>;

export async function updateGroup(db: Db, actor: Actor, groupId: string, form: GroupForm) {
  const f = parseForm(groupFormSchema, form, "svarsgrupp");
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
  if (f.callingMode === "own") {
    next.callingHours = callingHoursFromForm(f);
    next.skipPublicHolidays = f.skipPublicHolidays ?? false;
  } else if (f.callingMode === "org") {
    delete next.callingHours;
    delete next.skipPublicHolidays;
  } else if (!f.callingHours) delete next.callingHours;
  else next.callingHours = f.callingHours;
  const parsed = groupSettingsSchema.parse(next);
  const after = Object.fromEntries(Object.keys(next).map((k) => [k, parsed[k as keyof typeof parsed]]));
  const diff = changes(
    { name: group.name, ...before },
    {
      name: f.name,
      sampleRate: after.sampleRate,
      callingHours: after.callingHours,
      skipPublicHolidays: after.skipPublicHolidays,
    },
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

export type TargetForm = TargetInput;

/** The question keys a target may name: the page's list ("overall" and the default flow's questions). */
const TARGET_KEYS = QUESTION_ORDER;

export async function addTarget(db: Db, actor: Actor, form: Partial<TargetForm>) {
  const parsed = parseTargetInput(
    {
      questionKey: String(form.questionKey ?? ""),
      metric: String(form.metric ?? ""),
      lower: String(form.lower ?? ""),
      upper: form.upper === undefined ? undefined : String(form.upper),
      validFrom: String(form.validFrom ?? ""),
    },
    TARGET_KEYS,
  );
  if (!parsed.ok) {
    const text = parsed.problems.map((p) => p.message).join(" ");
    throw new AppError(
      "validation_failed",
      `Invalid target: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`,
      parsed.problems.map((p) => ({ field: p.field, message: p.message })),
      text,
    );
  }
  const f = parsed.value;
  const validFrom = new Date(`${f.validFrom}T00:00:00Z`);
  const t = await saveTarget(db, {
    organizationId: actor.organizationId,
    questionKey: f.questionKey,
    metric: f.metric,
    threshold: f.threshold,
    upper: f.upper,
    validFrom,
  });
  await audit(db, {
    organizationId: actor.organizationId,
    actorUserId: actor.userId,
    action: "target.set",
    targetType: "target",
    targetId: t.id,
    detail: {
      questionKey: f.questionKey,
      metric: f.metric,
      threshold: f.threshold,
      upper: f.upper,
      validFrom: f.validFrom,
    },
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
      upper: t.upper,
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
    where: { organizationId, mergedIntoId: null },
    orderBy: { key: "asc" },
    select: { id: true, key: true, name: true, settings: true },
  });
  return rows.map((g) => {
    const parsed = groupSettingsSchema.parse(g.settings);
    const own = Object.keys((g.settings ?? {}) as object);
    return { ...g, settings: Object.fromEntries(own.map((k) => [k, parsed[k as keyof typeof parsed]])) };
  });
}
