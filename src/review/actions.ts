import { z } from "zod";
import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import { AppError, parseOrThrow } from "../lib/errors.js";
import { findForOrganization } from "./repository.js";
import { CLASSIFICATIONS, isReviewed, needsRegistration } from "./rules.js";
import { assertReviewer, type Actor } from "./service.js";

/** Form posts repeat a key for hidden-default + checkbox; the last value wins. */
const last = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);
const formBool = z.preprocess(
  last,
  z.union([
    z.boolean(),
    z.enum(["1", "0", "true", "false", "on", "off"]).transform((v) => ["1", "true", "on"].includes(v)),
  ]),
);
/** Empty text clears the field. */
const optionalText = (max: number) =>
  z.preprocess(
    last,
    z
      .string()
      .trim()
      .max(max, `at most ${max} characters`)
      .nullable()
      .transform((v) => (v ? v : null)),
  );

/** A partial update of a message's review; absent fields stay as they are. */
export const reviewPatchSchema = z.object({
  listened: formBool.optional(),
  classification: z
    .preprocess(last, z.union([z.enum(CLASSIFICATIONS), z.literal(""), z.null()]))
    .transform((v) => (v ? v : null))
    .optional(),
  forvaltning: optionalText(200).optional(),
  note: optionalText(4000).optional(),
  // Case references are ids like "KS 2025/123" or a Flexite number: printable, short.
  caseReference: z
    .preprocess(
      last,
      z
        .string()
        .trim()
        .max(100, "at most 100 characters")
        .regex(/^[\p{L}\p{N} ._/:#-]*$/u, "letters, digits, space and . _ / : # - only")
        .nullable(),
    )
    .transform((v) => (v ? v : null))
    .optional(),
  registered: formBool.optional(),
});
export type ReviewPatch = z.input<typeof reviewPatchSchema>;

interface Change {
  action: string;
  detail: Record<string, unknown>;
}

/**
 * Applies a review patch to one voice message, in one transaction with its
 * audit rows (one per changed aspect, so the log reads as "who did what").
 * Keeps `reviewedAt` non-null exactly while the message counts as reviewed
 * (see rules.isReviewed); the retention clock for the audio starts there.
 */
export async function updateReview(ctx: AppContext, actor: Actor, id: string, input: unknown) {
  assertReviewer(actor);
  const patch = parseOrThrow(reviewPatchSchema, input, "review");
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    const cur = await findForOrganization(tx, actor.organizationId, id);
    if (!cur) throw new AppError("not_found", "No such voice message");
    // Two managers saving the same message: the second waits and sees the first's result.
    await tx.$executeRaw`SELECT 1 FROM "VoiceMessage" WHERE id = ${id}::uuid FOR UPDATE`;
    const m = (await findForOrganization(tx, actor.organizationId, id))!;
    const next = { ...m };
    const changes: Change[] = [];

    if (patch.listened === true && !m.listenedAt) {
      next.listenedAt = now;
      changes.push({ action: "voice-message.listened", detail: {} });
    } else if (patch.listened === false && m.listenedAt) {
      next.listenedAt = null;
      changes.push({ action: "voice-message.unlistened", detail: {} });
    }
    if (patch.classification !== undefined && patch.classification !== m.classification) {
      next.classification = patch.classification;
      changes.push({ action: "voice-message.classify", detail: { from: m.classification, to: patch.classification } });
    }
    if (patch.forvaltning !== undefined && patch.forvaltning !== m.forvaltning) {
      next.forvaltning = patch.forvaltning;
      changes.push({ action: "voice-message.forvaltning", detail: { from: m.forvaltning, to: patch.forvaltning } });
    }
    if (patch.note !== undefined && patch.note !== m.note) {
      next.note = patch.note;
      // The note's text may quote the citizen; the log records that it changed, not what it says.
      changes.push({
        action: "voice-message.note",
        detail: { fromLength: m.note?.length ?? 0, toLength: patch.note?.length ?? 0 },
      });
    }
    if (patch.caseReference !== undefined && patch.caseReference !== m.caseReference) {
      next.caseReference = patch.caseReference;
      changes.push({
        action: "voice-message.case-reference",
        detail: { from: m.caseReference, to: patch.caseReference },
      });
    }
    const registered = patch.registered ?? (next.registeredAt !== null && next.caseReference !== null);
    if (registered && !next.caseReference) {
      throw new AppError("validation_failed", "Invalid review: caseReference: needed to mark the message registered", [
        { field: "caseReference", message: "needed to mark the message registered in the case system" },
      ]);
    }
    if (registered && !m.registeredAt) {
      next.registeredAt = now;
      changes.push({ action: "voice-message.register", detail: { caseReference: next.caseReference } });
    } else if (!registered && m.registeredAt) {
      next.registeredAt = null;
      changes.push({ action: "voice-message.unregister", detail: { caseReference: m.caseReference } });
    }

    const wasReviewed = m.reviewedAt !== null;
    const nowReviewed = isReviewed(next);
    if (nowReviewed && !wasReviewed) {
      next.reviewedAt = now;
      next.reviewedById = actor.id;
      changes.push({ action: "voice-message.reviewed", detail: { classification: next.classification } });
    } else if (!nowReviewed && wasReviewed) {
      next.reviewedAt = null;
      next.reviewedById = null;
      changes.push({ action: "voice-message.reopened", detail: {} });
    }

    if (changes.length > 0) {
      await tx.voiceMessage.update({
        where: { id },
        data: {
          listenedAt: next.listenedAt,
          classification: next.classification,
          forvaltning: next.forvaltning,
          note: next.note,
          caseReference: next.caseReference,
          registeredAt: next.registeredAt,
          reviewedAt: next.reviewedAt,
          reviewedById: next.reviewedById,
        },
      });
      for (const c of changes) {
        await audit(tx, {
          organizationId: actor.organizationId,
          actorUserId: actor.id,
          action: c.action,
          targetType: "voice-message",
          targetId: id,
          detail: c.detail,
          ip: actor.ip ?? null,
        });
      }
    }
    return {
      id,
      listenedAt: next.listenedAt,
      classification: next.classification,
      forvaltning: next.forvaltning,
      note: next.note,
      caseReference: next.caseReference,
      registeredAt: next.registeredAt,
      reviewed: next.reviewedAt !== null,
      reviewedAt: next.reviewedAt,
      needsRegistration: needsRegistration(next.classification),
      changed: changes.map((c) => c.action),
    };
  });
}

export type ReviewResult = Awaited<ReturnType<typeof updateReview>>;

/** One audit row per playback (the route decides what counts as a new playback). */
export async function auditPlayback(ctx: AppContext, actor: Actor, id: string, detail: Record<string, unknown> = {}) {
  await audit(ctx.prisma, {
    organizationId: actor.organizationId,
    actorUserId: actor.id,
    action: "voice-message.play",
    targetType: "voice-message",
    targetId: id,
    detail,
    ip: actor.ip ?? null,
  });
}
