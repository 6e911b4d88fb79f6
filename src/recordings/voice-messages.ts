import type { AppContext } from "../context.js";
import { recordEvent } from "../survey/state.js";
import { downloadRecording } from "./download.js";
import { downloadRetryDelayMs, FAST_DOWNLOAD_RETRIES, isEmptyRecording, voiceMessageKey } from "./rules.js";

export interface RecordingCallback {
  surveyId: string;
  callSid: string;
  recordingSid: string;
  recordingStatus: string;
  durationSeconds: number;
  /** Kept for reference only; the audio is fetched from the configured API base. */
  recordingUrl?: string;
}

export type RecordingResult = "stored" | "pending" | "discarded" | "duplicate" | "ignored";

/**
 * The recording status callback: registers the voice message once per
 * Recording SID (Twilio may replay), then tries to store it right away.
 * Anything that fails stays `pending` for processDueVoiceMessages.
 */
export async function handleRecordingCallback(ctx: AppContext, cb: RecordingCallback): Promise<RecordingResult> {
  const log = ctx.logger.child({ surveyId: cb.surveyId, callSid: cb.callSid, recordingSid: cb.recordingSid });
  const survey = await ctx.prisma.surveyCall.findUnique({
    where: { id: cb.surveyId },
    select: { organizationId: true, groupId: true, agentId: true, callSid: true },
  });
  if (!survey || survey.callSid !== cb.callSid) {
    log.warn(survey ? "recording callback for another call than the survey's; ignored" : "recording callback for an unknown survey; ignored");
    return "ignored";
  }
  if (cb.recordingStatus !== "completed") {
    await recordEvent(ctx.prisma, { surveyId: cb.surveyId, at: ctx.now(), type: "recording-callback", callSid: cb.callSid, detail: { recordingSid: cb.recordingSid, recordingStatus: cb.recordingStatus } });
    log.info("recording not available", { recordingStatus: cb.recordingStatus });
    return "ignored";
  }
  const existing = await ctx.prisma.voiceMessage.findFirst({
    where: { OR: [{ recordingSid: cb.recordingSid }, { surveyId: cb.surveyId }] },
    select: { id: true, recordingSid: true },
  });
  if (existing) {
    if (existing.recordingSid !== cb.recordingSid) log.warn("second recording for one survey; ignored (Twilio keeps it)");
    else log.debug("replayed recording callback ignored");
    return "duplicate";
  }
  const now = ctx.now();
  const empty = isEmptyRecording(cb.durationSeconds);
  try {
    const vm = await ctx.prisma.voiceMessage.create({
      data: {
        surveyId: cb.surveyId,
        organizationId: survey.organizationId,
        groupId: survey.groupId,
        agentId: survey.agentId,
        recordingSid: cb.recordingSid,
        recordingUrl: cb.recordingUrl ?? null,
        state: empty ? "discarded" : "pending",
        durationSeconds: cb.durationSeconds,
        recordedAt: now,
        lastError: empty ? "shorter than 2 s" : null,
        // Due at once: stored (or, when empty, deleted at Twilio) right below.
        nextDownloadAt: empty && !ctx.config.DELETE_RECORDINGS_FROM_TWILIO ? null : now,
      },
      select: { id: true },
    });
    await recordEvent(ctx.prisma, { surveyId: cb.surveyId, at: now, type: "recording-callback", callSid: cb.callSid, detail: { recordingSid: cb.recordingSid, durationSeconds: cb.durationSeconds, empty } });
    return await processVoiceMessage(ctx, vm.id);
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") return "duplicate";
    throw err;
  }
}

/** A worker holds a message this long; if it dies, another picks it up after. */
const LEASE_MS = 5 * 60_000;

/**
 * Does the due work on one message: download and store a pending one, then
 * delete Twilio's copy (when configured) of a stored or discarded one. Never
 * deletes at Twilio before the audio is stored. Claimed with a guarded update
 * so two instances never download the same message at once.
 */
export async function processVoiceMessage(ctx: AppContext, id: string): Promise<RecordingResult> {
  const now = ctx.now();
  const vm = await ctx.prisma.voiceMessage.findUnique({ where: { id } });
  if (!vm || !vm.nextDownloadAt || vm.nextDownloadAt > now) return vm?.state === "stored" ? "stored" : "pending";
  const { count } = await ctx.prisma.voiceMessage.updateMany({
    where: { id, nextDownloadAt: vm.nextDownloadAt },
    data: { nextDownloadAt: new Date(now.getTime() + LEASE_MS) },
  });
  if (count === 0) return vm.state === "discarded" ? "discarded" : "pending";
  const log = ctx.logger.child({ surveyId: vm.surveyId, recordingSid: vm.recordingSid, voiceMessageId: id });

  let state = vm.state;
  if (state === "pending") {
    const key = voiceMessageKey(vm.organizationId, vm.surveyId);
    try {
      const stored = await downloadRecording(ctx.twilioCredentials, ctx.storage, { recordingSid: vm.recordingSid, key });
      await ctx.prisma.voiceMessage.update({
        where: { id },
        data: {
          state: "stored", storageKey: key, contentType: stored.contentType, sizeBytes: stored.sizeBytes,
          downloadAttempts: { increment: 1 }, lastError: null,
          nextDownloadAt: ctx.config.DELETE_RECORDINGS_FROM_TWILIO ? ctx.now() : null,
        },
      });
      state = "stored";
      log.info("voice message stored", { sizeBytes: stored.sizeBytes, durationSeconds: vm.durationSeconds });
      ctx.events.publish({ type: "voice-message.stored", organizationId: vm.organizationId, surveyId: vm.surveyId, voiceMessageId: id });
    } catch (err) {
      const failures = vm.downloadAttempts + 1;
      const message = (err as Error).message?.slice(0, 300) ?? String(err);
      await ctx.prisma.voiceMessage.update({
        where: { id },
        data: { downloadAttempts: failures, lastError: message, nextDownloadAt: new Date(ctx.now().getTime() + downloadRetryDelayMs(failures, Math.random())) },
      });
      // Past the fast retries someone should look; Twilio's copy is kept all along.
      log.log(failures > FAST_DOWNLOAD_RETRIES ? "error" : "warn", "voice message download failed; Twilio's copy kept, will retry", { failures, error: message });
      return "pending";
    }
  }
  if (ctx.config.DELETE_RECORDINGS_FROM_TWILIO && !vm.deletedAtTwilio) await deleteAtTwilio(ctx, vm.id, vm.recordingSid, vm.downloadAttempts, log);
  else await ctx.prisma.voiceMessage.update({ where: { id }, data: { nextDownloadAt: null } });
  return state === "stored" ? "stored" : "discarded";
}

async function deleteAtTwilio(ctx: AppContext, id: string, recordingSid: string, attempts: number, log: AppContext["logger"]) {
  try {
    await ctx.twilio.recordings(recordingSid).remove();
  } catch (err) {
    if ((err as { status?: number }).status !== 404) {
      const message = (err as Error).message?.slice(0, 300) ?? String(err);
      await ctx.prisma.voiceMessage.update({
        where: { id },
        data: { lastError: `delete at Twilio: ${message}`, nextDownloadAt: new Date(ctx.now().getTime() + downloadRetryDelayMs(attempts + 1, Math.random())) },
      });
      log.warn("deleting the recording at Twilio failed; will retry", { error: message });
      return;
    }
  }
  await ctx.prisma.voiceMessage.update({ where: { id }, data: { deletedAtTwilio: ctx.now(), nextDownloadAt: null } });
  log.info("recording deleted at Twilio");
}

/** The retry job: due downloads and due Twilio-side deletions, a bounded batch. */
export async function processDueVoiceMessages(ctx: AppContext, limit = 10): Promise<number> {
  const due = await ctx.prisma.voiceMessage.findMany({
    where: { nextDownloadAt: { lte: ctx.now() }, state: { in: ["pending", "stored", "discarded"] } },
    select: { id: true },
    orderBy: { nextDownloadAt: "asc" },
    take: limit,
  });
  for (const { id } of due) {
    await processVoiceMessage(ctx, id).catch((err) => ctx.logger.error("voice message processing failed", { voiceMessageId: id, err }));
  }
  return due.length;
}
