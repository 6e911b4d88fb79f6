import type { AppContext } from "../context.js";
import { recordingDownload } from "../lib/metrics.js";
import { downloadRecording } from "./download.js";
import {
  leaseVoiceMessage,
  markAttemptFailed,
  markDone,
  markStored,
  recordRecordingEvent,
  registerVoiceMessage,
  type LeasedVoiceMessage,
} from "./repository.js";
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

/** "busy": not due, or leased by another worker. */
export type RecordingResult = "stored" | "pending" | "discarded" | "duplicate" | "ignored" | "busy";

/** A worker holds a message this long; if it dies, another picks it up after. */
const LEASE_MS = 5 * 60_000;

/**
 * The recording status callback: registers the voice message once per
 * Recording SID (Twilio may replay), then tries to store it right away.
 * Anything that fails stays `pending` for processDueVoiceMessages.
 */
export async function handleRecordingCallback(ctx: AppContext, cb: RecordingCallback): Promise<RecordingResult> {
  const log = ctx.logger.child({ surveyId: cb.surveyId, callSid: cb.callSid, recordingSid: cb.recordingSid });
  const now = ctx.now();
  if (cb.recordingStatus !== "completed") {
    const r = await recordRecordingEvent(ctx.prisma, {
      surveyId: cb.surveyId,
      callSid: cb.callSid,
      at: now,
      detail: { recordingSid: cb.recordingSid, recordingStatus: cb.recordingStatus },
    });
    if (r !== "recorded") return ignored(log, r);
    log.info("recording not available", { recordingStatus: cb.recordingStatus });
    return "ignored";
  }
  const empty = isEmptyRecording(cb.durationSeconds);
  const work = !empty || ctx.config.DELETE_RECORDINGS_FROM_TWILIO;
  const r = await registerVoiceMessage(ctx.prisma, {
    surveyId: cb.surveyId,
    callSid: cb.callSid,
    recordingSid: cb.recordingSid,
    recordingUrl: cb.recordingUrl ?? null,
    state: empty ? "discarded" : "pending",
    durationSeconds: cb.durationSeconds,
    at: now,
    lastError: empty ? "shorter than 2 s" : null,
    // Inserted already leased to this request, which stores it (or, when empty, deletes it at Twilio) right below.
    nextDownloadAt: work ? new Date(now.getTime() + LEASE_MS) : null,
    eventDetail: { recordingSid: cb.recordingSid, durationSeconds: cb.durationSeconds, empty },
  });
  if (r.kind === "unknown-survey" || r.kind === "other-call") return ignored(log, r.kind);
  if (r.kind === "duplicate") {
    if (r.existingRecordingSid && r.existingRecordingSid !== cb.recordingSid)
      log.warn("second recording for one survey; ignored (Twilio keeps it)");
    else log.debug("replayed recording callback ignored");
    return "duplicate";
  }
  return work ? await processLeased(ctx, r.vm) : "discarded";
}

function ignored(log: AppContext["logger"], why: "unknown-survey" | "other-call"): RecordingResult {
  log.warn(
    why === "other-call"
      ? "recording callback for another call than the survey's; ignored"
      : "recording callback for an unknown survey; ignored",
  );
  return "ignored";
}

/**
 * Does the due work on one message, if it can take the lease (so two
 * instances never download the same message at once).
 */
export async function processVoiceMessage(ctx: AppContext, id: string): Promise<RecordingResult> {
  const now = ctx.now();
  const vm = await leaseVoiceMessage(ctx.prisma, id, now, new Date(now.getTime() + LEASE_MS));
  return vm ? processLeased(ctx, vm) : "busy";
}

/**
 * Downloads and stores a pending message, then deletes Twilio's copy (when
 * configured) of a stored or discarded one. Never deletes at Twilio before the
 * stored audio is recorded in the database.
 */
async function processLeased(ctx: AppContext, vm: LeasedVoiceMessage): Promise<RecordingResult> {
  const log = ctx.logger.child({ surveyId: vm.surveyId, recordingSid: vm.recordingSid, voiceMessageId: vm.id });
  const deleting = ctx.config.DELETE_RECORDINGS_FROM_TWILIO && !vm.deletedAtTwilio;
  if (vm.state === "pending") {
    if (!(await store(ctx, vm, deleting, log))) return "pending";
    // Storing already cleared nextDownloadAt when there is nothing left to do at Twilio.
    if (!deleting) return "stored";
  }
  if (deleting) await deleteAtTwilio(ctx, vm, log);
  else await markDone(ctx.prisma, vm.id, ctx.now(), null);
  return vm.state === "pending" || vm.state === "stored" ? "stored" : "discarded";
}

async function store(
  ctx: AppContext,
  vm: LeasedVoiceMessage,
  deleting: boolean,
  log: AppContext["logger"],
): Promise<boolean> {
  const format = ctx.config.RECORDING_FORMAT;
  const key = voiceMessageKey(vm.organizationId, vm.surveyId, format);
  let stored: { sizeBytes: number; contentType: string };
  try {
    stored = await downloadRecording(ctx.twilioCredentials, ctx.storage, {
      recordingSid: vm.recordingSid,
      key,
      format,
    });
  } catch (err) {
    recordingDownload("failed");
    const failures = vm.downloadAttempts + 1;
    const message = (err as Error).message?.slice(0, 300) ?? String(err);
    const at = ctx.now();
    await markAttemptFailed(ctx.prisma, vm.id, {
      downloadAttempts: failures,
      lastError: message,
      at,
      nextDownloadAt: new Date(at.getTime() + downloadRetryDelayMs(failures, Math.random())),
    });
    // Past the fast retries someone should look; Twilio's copy is kept all along.
    log.log(
      failures > FAST_DOWNLOAD_RETRIES ? "error" : "warn",
      "voice message download failed; Twilio's copy kept, will retry",
      { failures, error: message },
    );
    return false;
  }
  recordingDownload("stored");
  const at = ctx.now();
  // While deleting at Twilio the lease is kept; should this worker die, the job deletes once it expires.
  await markStored(ctx.prisma, vm.id, {
    storageKey: key,
    ...stored,
    at,
    nextDownloadAt: deleting ? new Date(at.getTime() + LEASE_MS) : null,
  });
  log.info("voice message stored", { sizeBytes: stored.sizeBytes, durationSeconds: vm.durationSeconds });
  ctx.events.publish({
    type: "voice-message.stored",
    organizationId: vm.organizationId,
    surveyId: vm.surveyId,
    voiceMessageId: vm.id,
  });
  return true;
}

async function deleteAtTwilio(ctx: AppContext, vm: LeasedVoiceMessage, log: AppContext["logger"]) {
  try {
    await ctx.twilio.recordings(vm.recordingSid).remove();
  } catch (err) {
    if ((err as { status?: number }).status !== 404) {
      const message = (err as Error).message?.slice(0, 300) ?? String(err);
      const at = ctx.now();
      await markAttemptFailed(ctx.prisma, vm.id, {
        lastError: `delete at Twilio: ${message}`,
        at,
        nextDownloadAt: new Date(at.getTime() + downloadRetryDelayMs(vm.downloadAttempts + 1, Math.random())),
      });
      log.warn("deleting the recording at Twilio failed; will retry", { error: message });
      return;
    }
  }
  const at = ctx.now();
  await markDone(ctx.prisma, vm.id, at, at);
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
    await processVoiceMessage(ctx, id).catch((err) =>
      ctx.logger.error("voice message processing failed", { voiceMessageId: id, err }),
    );
  }
  return due.length;
}
