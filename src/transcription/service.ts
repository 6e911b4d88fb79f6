import { z } from "zod";
import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import { AppError, parseOrThrow } from "../lib/errors.js";
import { getOrganization } from "../organizations/service.js";
import { assertManager, type Actor } from "./access.js";
import { maskIdentifiers } from "./masking.js";
import { suggestFor, type Suggestion } from "./classify-service.js";
import { requeue, storeCorrection } from "./repository.js";
import { LOW_CONFIDENCE } from "./rules.js";

export interface TranscriptView {
  voiceMessageId: string;
  status: "pending" | "done" | "failed" | "skipped";
  /** Always shown as automatic and possibly wrong. */
  automatic: true;
  text: string | null;
  correctedText: string | null;
  correctedAt: Date | null;
  masked: boolean;
  segments: unknown;
  lowConfidenceThreshold: number;
  attempts: number;
  lastError: string | null;
  transcribedAt: Date | null;
  suggestion: Suggestion | null;
}

/** The message must be the actor's organization's; anything else is "not found", like the listening queue. */
async function messageOf(ctx: AppContext, actor: Actor, voiceMessageId: string) {
  assertManager(actor);
  if (!z.string().uuid().safeParse(voiceMessageId).success) throw new AppError("not_found", "No such voice message");
  const vm = await ctx.prisma.voiceMessage.findUnique({
    where: { id: voiceMessageId },
    select: { id: true, organizationId: true, state: true },
  });
  if (!vm || vm.organizationId !== actor.organizationId) throw new AppError("not_found", "No such voice message");
  return vm;
}

export async function getTranscript(ctx: AppContext, actor: Actor, voiceMessageId: string): Promise<TranscriptView> {
  await messageOf(ctx, actor, voiceMessageId);
  const t = await ctx.prisma.transcript.findUnique({ where: { voiceMessageId } });
  if (!t) throw new AppError("not_found", "This voice message has no transcript");
  const text = t.correctedText ?? t.text;
  return {
    voiceMessageId,
    status: t.status,
    automatic: true,
    text: t.text,
    correctedText: t.correctedText,
    correctedAt: t.correctedAt,
    masked: t.masked,
    segments: t.segments,
    lowConfidenceThreshold: LOW_CONFIDENCE,
    attempts: t.attempts,
    lastError: t.lastError,
    transcribedAt: t.transcribedAt,
    suggestion: text ? await suggestFor(ctx, actor.organizationId, voiceMessageId, text) : null,
  };
}

/** Transcribe again on request (a better model, a failed attempt): queued at once, the correction kept. */
export async function requestRetranscription(ctx: AppContext, actor: Actor, voiceMessageId: string): Promise<void> {
  const vm = await messageOf(ctx, actor, voiceMessageId);
  if (!ctx.transcriber) throw new AppError("unavailable", "Transcription is not configured (TRANSCRIPTION_URL)");
  if (vm.state !== "stored") throw new AppError("conflict", "The audio of this voice message has been deleted");
  await requeue(ctx.prisma, voiceMessageId, vm.organizationId, ctx.now());
  await audit(ctx.prisma, {
    organizationId: vm.organizationId,
    actorUserId: actor.id,
    action: "transcript.retranscribe",
    targetType: "voice-message",
    targetId: voiceMessageId,
    ip: actor.ip ?? null,
  });
}

export const correctionSchema = z.object({
  /** null removes the correction (the automatic text shows again). */
  text: z.string().trim().min(1).max(10_000).nullable(),
});

/**
 * A manager's correction of the automatic text: stored beside it (the
 * original is kept) and audited with lengths only, since both quote the citizen.
 */
export async function correctTranscript(
  ctx: AppContext,
  actor: Actor,
  voiceMessageId: string,
  input: unknown,
): Promise<TranscriptView> {
  const vm = await messageOf(ctx, actor, voiceMessageId);
  const parsed = parseOrThrow(correctionSchema, input);
  // A correction follows the same rule as the automatic text: identifiers masked unless the organization keeps them.
  const { settings } = await getOrganization(ctx.prisma, vm.organizationId);
  const text =
    parsed.text === null || settings.transcriptKeepIdentifiers ? parsed.text : maskIdentifiers(parsed.text).text;
  const at = ctx.now();
  await ctx.prisma.$transaction(async (tx) => {
    const before = await tx.transcript.findUnique({ where: { voiceMessageId }, select: { correctedText: true } });
    if (!(await storeCorrection(tx, voiceMessageId, { text, userId: actor.id, at })))
      throw new AppError("conflict", "There is no transcript to correct yet");
    await audit(tx, {
      organizationId: vm.organizationId,
      actorUserId: actor.id,
      action: text === null ? "transcript.correction-removed" : "transcript.corrected",
      targetType: "voice-message",
      targetId: voiceMessageId,
      detail: { previousLength: before?.correctedText?.length ?? null, length: text?.length ?? null },
      ip: actor.ip ?? null,
    });
  });
  return getTranscript(ctx, actor, voiceMessageId);
}
