import type { AppContext } from "../context.js";
import { getOrganization } from "../organizations/service.js";
import { loadMessageAudio } from "./audio-source.js";
import { maskIdentifiers, totalMasked } from "./masking.js";
import { claimNext, enqueueStoredMessages, storeDone, storeOutcome, type ClaimedTranscript } from "./repository.js";
import { afterFailure, LEASE_MARGIN_MS, transcriptionLanguage } from "./rules.js";
import { TranscriptionError, type Segment, type Transcriber, type TranscriptionResult } from "./transcriber.js";

/** Bounds one tick; the next tick continues. */
const MAX_PER_TICK = 200;
const ENQUEUE_BATCH = 500;

export type ProcessResult = "done" | "retry" | "failed" | "skipped" | "gone" | "idle";

/**
 * One tick of the transcription job: gives new stored messages a pending
 * transcript, then TRANSCRIPTION_CONCURRENCY workers each claim and transcribe
 * one message at a time until nothing is due (or the tick's bound).
 */
export async function runTranscriptionTick(ctx: AppContext): Promise<number> {
  const transcriber = ctx.transcriber;
  if (!transcriber) return 0;
  await enqueueStoredMessages(ctx.prisma, ctx.now(), ENQUEUE_BATCH);
  let budget = MAX_PER_TICK;
  let processed = 0;
  const worker = async () => {
    while (budget > 0) {
      budget--;
      const r = await transcribeNext(ctx, transcriber);
      if (r === "idle") return;
      processed++;
    }
  };
  await Promise.all(Array.from({ length: ctx.config.TRANSCRIPTION_CONCURRENCY }, worker));
  return processed;
}

/** Claims the next due message and transcribes it. */
export async function transcribeNext(ctx: AppContext, transcriber: Transcriber): Promise<ProcessResult> {
  const now = ctx.now();
  const lease = new Date(now.getTime() + ctx.config.TRANSCRIPTION_TIMEOUT_SECONDS * 1000 + LEASE_MARGIN_MS);
  const claim = await claimNext(ctx.prisma, now, lease);
  if (!claim) return "idle";
  const log = ctx.logger.child({ transcriptId: claim.id, voiceMessageId: claim.voiceMessageId });
  try {
    return await transcribeClaimed(ctx, transcriber, claim, log);
  } catch (err) {
    // Storage or database trouble: retried like a server failure.
    const message = (err as Error).message ?? String(err);
    const next = afterFailure(claim.attempts, { message, retryable: true }, ctx.now(), Math.random());
    await storeOutcome(ctx.prisma, claim, { ...next, nextAttemptAt: nextAt(next), at: ctx.now() });
    log.error("transcription failed", { err, attempts: claim.attempts });
    return next.status === "failed" ? "failed" : "retry";
  }
}

const nextAt = (o: ReturnType<typeof afterFailure>) => (o.status === "pending" ? o.nextAttemptAt : null);

async function transcribeClaimed(
  ctx: AppContext,
  transcriber: Transcriber,
  claim: ClaimedTranscript,
  log: AppContext["logger"],
): Promise<ProcessResult> {
  const source = await loadMessageAudio(ctx, claim.voiceMessageId);
  if (!source) {
    await storeOutcome(ctx.prisma, claim, {
      status: "skipped",
      lastError: "the audio is gone",
      nextAttemptAt: null,
      at: ctx.now(),
    });
    return "gone";
  }
  let result: TranscriptionResult;
  try {
    result = await transcriber.transcribe({
      audio: source.audio,
      contentType: source.contentType,
      fileName: `${claim.voiceMessageId}.${source.contentType.includes("mpeg") ? "mp3" : "wav"}`,
      language: transcriptionLanguage(source.language),
    });
  } catch (err) {
    if (!(err instanceof TranscriptionError)) throw err;
    const next = afterFailure(claim.attempts, err, ctx.now(), Math.random());
    await storeOutcome(ctx.prisma, claim, { ...next, nextAttemptAt: nextAt(next), at: ctx.now() });
    log.log(next.status === "failed" ? "error" : "warn", "transcription attempt failed", {
      attempts: claim.attempts,
      error: err.message,
      status: next.status,
    });
    return next.status === "failed" ? "failed" : "retry";
  }
  if (!result.text.trim()) {
    await storeOutcome(ctx.prisma, claim, {
      status: "skipped",
      lastError: "no speech recognised",
      nextAttemptAt: null,
      at: ctx.now(),
    });
    log.info("transcription empty: no speech recognised");
    return "skipped";
  }
  const { settings } = await getOrganization(ctx.prisma, claim.organizationId);
  const keep = settings.transcriptKeepIdentifiers;
  const stored = keep ? { text: result.text, segments: result.segments, masked: 0 } : maskResult(result);
  const ok = await storeDone(ctx.prisma, claim, {
    text: stored.text,
    segments: stored.segments,
    language: result.language,
    model: transcriber.model,
    masked: !keep,
    at: ctx.now(),
  });
  if (!ok) {
    // Deleted, forgotten, purged or re-queued while the server worked: the text is dropped.
    log.info("voice message changed during transcription; result dropped");
    return "gone";
  }
  log.info("voice message transcribed", { chars: stored.text.length, identifiersMasked: stored.masked });
  return "done";
}

/**
 * Masks the text and each segment. A segment whose text changed loses its
 * word list: the words would otherwise still spell out what was masked.
 */
export function maskResult(r: TranscriptionResult): { text: string; segments: Segment[]; masked: number } {
  const whole = maskIdentifiers(r.text);
  const segments = r.segments.map((s) => {
    const m = maskIdentifiers(s.text);
    if (m.text === s.text) return s;
    const { words: _dropped, ...rest } = s;
    return { ...rest, text: m.text };
  });
  return { text: whole.text, segments, masked: totalMasked(whole.counts) };
}
