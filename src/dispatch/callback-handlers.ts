import type { AppContext } from "../context.js";
import { recordEvent } from "../survey/state.js";
import { applyAmdResult, applyCallStatus } from "./outcomes.js";
import { knownCallSids } from "./repository.js";
import { FINAL_CALL_STATUSES } from "./rules.js";

/**
 * Twilio callbacks as plain functions (callbacks.ts is only the HTTP adapter).
 * Each first ties the callback to the survey's current call, then records it
 * once: Twilio may replay a callback, and it may deliver them in any order.
 */

export type CallbackResult = "applied" | "recorded" | "duplicate" | "unknown_survey" | "call_mismatch";

/**
 * The survey when this Call SID is its current call. A survey still waiting
 * for calls.create's response (no SID yet) adopts the SID from a callback,
 * unless that SID belongs to one of its earlier attempts: the callback is
 * signature-checked and names the survey in its URL, so it is ours.
 */
async function surveyForCall(ctx: AppContext, surveyId: string, callSid: string) {
  const s = await ctx.prisma.surveyCall.findUnique({ where: { id: surveyId }, select: { id: true, state: true, callSid: true } });
  if (!s) return "unknown_survey" as const;
  if (s.callSid === callSid) return s;
  if (s.callSid === null && s.state === "dialling" && !(await knownCallSids(ctx.prisma, surveyId)).has(callSid)) {
    const { count } = await ctx.prisma.surveyCall.updateMany({ where: { id: surveyId, callSid: null, state: "dialling" }, data: { callSid } });
    if (count === 1) {
      await recordEvent(ctx.prisma, { surveyId, at: ctx.now(), type: "callsid-from-callback", callSid });
      return { ...s, callSid };
    }
  }
  return "call_mismatch" as const;
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
  const s = await surveyForCall(ctx, cb.surveyId, cb.callSid);
  if (typeof s === "string") {
    log.warn(s === "unknown_survey" ? "status callback for an unknown survey; ignored" : "status callback for another call than the survey's; ignored", { callStatus: cb.callStatus });
    return s;
  }
  // Each CallStatus happens at most once per call, so (call, status) identifies a delivery.
  const seen = await ctx.prisma.surveyEvent.count({
    where: { surveyId: cb.surveyId, callSid: cb.callSid, type: "twilio-status", detail: { path: ["callStatus"], equals: cb.callStatus } },
  });
  if (seen > 0) {
    log.debug("replayed status callback ignored", { callStatus: cb.callStatus, sequenceNumber: cb.sequenceNumber });
    return "duplicate";
  }
  await recordEvent(ctx.prisma, {
    surveyId: cb.surveyId, at: ctx.now(), type: "twilio-status", callSid: cb.callSid,
    detail: { callStatus: cb.callStatus, sequenceNumber: cb.sequenceNumber, timestamp: cb.timestamp, callDuration: cb.callDuration, errorCode: cb.errorCode },
  });
  if (!FINAL_CALL_STATUSES.has(cb.callStatus)) return "recorded";
  const to = await applyCallStatus(ctx, {
    surveyId: cb.surveyId, callSid: cb.callSid, status: cb.callStatus, at: ctx.now(), source: "status-callback",
    errorCode: cb.errorCode, errorMessage: cb.errorMessage,
  });
  return to ? "applied" : "recorded";
}

export interface AmdCallback {
  surveyId: string;
  callSid: string;
  answeredBy: string;
  detectionMs?: number;
}

export async function handleAmdCallback(ctx: AppContext, cb: AmdCallback): Promise<CallbackResult> {
  const log = ctx.logger.child({ surveyId: cb.surveyId, callSid: cb.callSid });
  const s = await surveyForCall(ctx, cb.surveyId, cb.callSid);
  if (typeof s === "string") {
    log.warn(s === "unknown_survey" ? "AMD callback for an unknown survey; ignored" : "AMD callback for another call than the survey's; ignored", { answeredBy: cb.answeredBy });
    return s;
  }
  const seen = await ctx.prisma.surveyEvent.count({ where: { surveyId: cb.surveyId, callSid: cb.callSid, type: "amd-callback" } });
  if (seen > 0) {
    log.debug("replayed AMD callback ignored", { answeredBy: cb.answeredBy });
    return "duplicate";
  }
  const r = await applyAmdResult(ctx, { ...cb, at: ctx.now() });
  return r === "hung_up" ? "applied" : "recorded";
}
