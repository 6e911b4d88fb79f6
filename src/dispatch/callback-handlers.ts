import type { AppContext } from "../context.js";
import { adoptCallSid, readAndRecordCallback, recordAmdVerdict, type CallbackSurvey } from "./callback-repository.js";
import { applyAmdResult, applyCallStatus } from "./outcomes.js";
import { FINAL_CALL_STATUSES, MACHINE_ANSWERS } from "./rules.js";

/**
 * Twilio callbacks as plain functions (callbacks.ts is only the HTTP adapter).
 * Each first ties the callback to the survey's current call, then records it
 * once: Twilio may replay a callback, and it may deliver them in any order.
 */

export type CallbackResult = "applied" | "recorded" | "duplicate" | "unknown_survey" | "call_mismatch";

/**
 * Reads the survey and records the callback once, for the survey's current
 * call. A survey still waiting for calls.create's response (no SID yet) adopts
 * the SID from a callback, unless that SID belongs to one of its earlier
 * attempts: the callback is signature-checked and names the survey in its URL,
 * so it is ours. One round trip in the usual case.
 */
async function surveyForCallback(
  ctx: AppContext,
  e: Omit<Parameters<typeof readAndRecordCallback>[1], "at">,
): Promise<CallbackSurvey | "unknown_survey" | "call_mismatch"> {
  const at = ctx.now();
  const s = await readAndRecordCallback(ctx.prisma, { ...e, at });
  if (!s) return "unknown_survey";
  if (s.callSid === e.callSid) return s;
  if (s.callSid === null && s.state === "dialling") {
    const adopted = await adoptCallSid(ctx.prisma, e.surveyId, e.callSid, at);
    // Not adopted: calls.create's answer may have stored this very SID meanwhile; read again.
    const again = await readAndRecordCallback(ctx.prisma, { ...e, at });
    if (!again) return "unknown_survey";
    if (adopted || again.callSid === e.callSid) return again;
  }
  return "call_mismatch";
}

export interface StatusCallback {
  surveyId: string;
  callSid: string;
  callStatus: string;
  sequenceNumber?: number;
  timestamp?: string;
  callDuration?: number;
  errorCode?: string;
  errorMessage?: string;
}

export async function handleStatusCallback(ctx: AppContext, cb: StatusCallback): Promise<CallbackResult> {
  const log = ctx.logger.child({ surveyId: cb.surveyId, callSid: cb.callSid });
  const s = await surveyForCallback(ctx, {
    surveyId: cb.surveyId,
    callSid: cb.callSid,
    type: "twilio-status",
    callStatus: cb.callStatus,
    record: true,
    detail: {
      callStatus: cb.callStatus,
      sequenceNumber: cb.sequenceNumber,
      timestamp: cb.timestamp,
      callDuration: cb.callDuration,
      errorCode: cb.errorCode,
    },
  });
  if (typeof s === "string") {
    log.warn(
      s === "unknown_survey"
        ? "status callback for an unknown survey; ignored"
        : "status callback for another call than the survey's; ignored",
      { callStatus: cb.callStatus },
    );
    return s;
  }
  if (!FINAL_CALL_STATUSES.has(cb.callStatus)) {
    if (s.duplicate) log.debug("replayed status callback ignored", { callStatus: cb.callStatus });
    return s.duplicate ? "duplicate" : "recorded";
  }
  // A replayed final status is applied again rather than dropped: a crash (or a
  // failure answered 500) between recording it and applying it would otherwise
  // lose it. Applying is a guarded transition, so what was applied stays as it is.
  const to = await applyCallStatus(
    ctx,
    {
      surveyId: cb.surveyId,
      callSid: cb.callSid,
      status: cb.callStatus,
      at: ctx.now(),
      source: "status-callback",
      errorCode: cb.errorCode,
      errorMessage: cb.errorMessage,
    },
    s,
  );
  if (s.duplicate && !to) log.debug("replayed status callback ignored", { callStatus: cb.callStatus });
  return to ? "applied" : s.duplicate ? "duplicate" : "recorded";
}

export interface AmdCallback {
  surveyId: string;
  callSid: string;
  answeredBy: string;
  detectionMs?: number;
}

export async function handleAmdCallback(ctx: AppContext, cb: AmdCallback): Promise<CallbackResult> {
  const log = ctx.logger.child({ surveyId: cb.surveyId, callSid: cb.callSid });
  // The usual verdict, a person, in one statement; the survey is read only to explain a refusal.
  if (!MACHINE_ANSWERS.has(cb.answeredBy)) {
    const verdict = cb.answeredBy === "human" ? "human" : "unknown";
    if (
      await recordAmdVerdict(ctx.prisma, {
        surveyId: cb.surveyId,
        callSid: cb.callSid,
        verdict,
        at: ctx.now(),
        detail: { answeredBy: cb.answeredBy, detectionMs: cb.detectionMs },
      })
    ) {
      log.info("answering-machine detection recorded", { answeredBy: cb.answeredBy, result: "recorded" });
      return "recorded";
    }
  }
  // The AMD event is written by applyAmdResult, with what it decided.
  const s = await surveyForCallback(ctx, {
    surveyId: cb.surveyId,
    callSid: cb.callSid,
    type: "amd-callback",
    record: false,
  });
  if (typeof s === "string") {
    log.warn(
      s === "unknown_survey"
        ? "AMD callback for an unknown survey; ignored"
        : "AMD callback for another call than the survey's; ignored",
      { answeredBy: cb.answeredBy },
    );
    return s;
  }
  if (s.duplicate) {
    log.debug("replayed AMD callback ignored", { answeredBy: cb.answeredBy });
    return "duplicate";
  }
  const r = await applyAmdResult(ctx, { ...cb, at: ctx.now() }, s);
  return r === "hung_up" ? "applied" : "recorded";
}
