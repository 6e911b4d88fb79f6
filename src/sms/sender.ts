import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import { bookSlots, waitForSlot } from "../dispatch/throttle.js";
import { isWithinCallingHours, nextCallingTime } from "../intake/calling-window.js";
import { policyFor } from "../dispatch/moves.js";
import { optOutNumber } from "../survey/optout.js";
import { withConnectionOverrides } from "../telephony/signature.js";
import { issueLinkToken, webSurveyUrl } from "../websurvey/token.js";
import {
  abandonStaleClaims,
  claimDueSms,
  finishSms,
  isOptedOut,
  releaseSms,
  type ClaimedSmsRow,
  type SmsEnd,
} from "./repository.js";
import { classifySmsError, nextSmsTry, SMS_MAX_DELAY_MS } from "./rules.js";
import { composeSmsText, type SmsLanguage } from "./text.js";

/** The shared SMS clock's row in DispatchThrottle (calls have their own). */
export const SMS_THROTTLE_KEY = "twilio-sms";
const BATCH = 10;
/** A claim older than this was lost with its holder (the REST timeout is 10 s). */
export const STALE_CLAIM_MS = 2 * 60_000;

export interface SmsTickResult {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  retried: number;
}

/**
 * One tick of the SMS sender: gives up claims lost with their holder, claims a
 * bounded batch of due SMS, and sends each in its slot on the shared
 * messages-per-second clock. Every path ends the row (erasing the number) or
 * puts it back as due; nothing sends twice.
 */
export interface SmsTickOptions {
  batch?: number;
  /** Test seam: called with the slot (local epoch ms) a send waited for, just before its request. */
  beforeSend?: (slotAtMs: number) => void;
}

export async function smsTick(ctx: AppContext, opts: SmsTickOptions = {}): Promise<SmsTickResult> {
  const now = ctx.now();
  const lost = await abandonStaleClaims(ctx.prisma, new Date(now.getTime() - STALE_CLAIM_MS));
  if (lost > 0) ctx.logger.warn("SMS claims lost with their holder: given up, never resent", { count: lost });
  const token = randomUUID();
  const rows = await claimDueSms(ctx.prisma, { now, limit: opts.batch ?? BATCH, token });
  const result: SmsTickResult = { claimed: rows.length, sent: 0, skipped: 0, failed: 0, retried: 0 };
  for (const row of rows) {
    const outcome = await sendOne(ctx, row, token, opts);
    result[outcome]++;
  }
  return result;
}

async function sendOne(
  ctx: AppContext,
  row: ClaimedSmsRow,
  token: string,
  opts: SmsTickOptions,
): Promise<"sent" | "skipped" | "failed" | "retried"> {
  const log = ctx.logger.child({ surveyId: row.surveyId, smsId: row.id });
  const end = async (e: SmsEnd) => {
    // A sent link asks the flow's version of this moment (unless the phone already started one).
    const flowVersion = e.state === "sent" ? ctx.flows.getFlow(row.flowId).version : undefined;
    const done = await finishSms(ctx.prisma, { id: row.id, token, at: ctx.now(), end: e, flowVersion });
    if (!done) log.warn("SMS claim lost before its end was recorded", { end: e.state });
    else log.info(e.state === "sent" ? "SMS sent" : `SMS ${e.state}`, { ...e });
  };
  const now = ctx.now();
  const policy = policyFor({ settings: row.orgSettings, timeZone: row.timeZone }, { settings: row.groupSettings });
  const skip = skipReason(row, policy.settings.smsFallback, now);
  if (skip) {
    await end({ state: "skipped", reason: skip });
    return "skipped";
  }
  if (!isWithinCallingHours(now, policy.window)) {
    const next = nextCallingTime(now, policy.window);
    if (!next || next.getTime() - row.createdAt.getTime() > SMS_MAX_DELAY_MS) {
      await end({ state: "skipped", reason: "too_late" });
      return "skipped";
    }
    await releaseSms(ctx.prisma, { id: row.id, token, dueAt: next, giveBackAttempt: true });
    return "retried";
  }

  // An opt-out (STOPP, star in another survey) may have arrived since the claim: checked again just
  // before the slot, since nothing but the request may run between the slot check and the send
  // (a round trip there would let two sends bunch up; see src/dispatch/throttle.ts).
  if (await isOptedOut(ctx.prisma, row.organizationId, row.callerHash!)) {
    await end({ state: "skipped", reason: "opted_out" });
    return "skipped";
  }

  const to = ctx.numbers.decrypt(row.callerNumberEnc!);
  const link = webSurveyUrl(ctx.config.publicBaseUrl, issueLinkToken(ctx.numbers, row.surveyId, ctx.now()));
  const body = composeSmsText({ organizationName: row.organizationName, link, language: languageOf(row.flowId) });
  // twilio-node loads its Messages API lazily on first access: load it before the slot, not after.
  const messages = ctx.twilio.messages;
  const slot = await bookSlots(ctx.prisma, ctx.config.SMS_PER_SECOND, 1, SMS_THROTTLE_KEY);
  if (!(await waitForSlot(slot.slotAt(0)))) {
    // Too late for the slot (event loop stalled): back to due, the next tick books another.
    await releaseSms(ctx.prisma, { id: row.id, token, dueAt: ctx.now(), giveBackAttempt: true });
    return "retried";
  }
  opts.beforeSend?.(slot.slotAt(0));
  try {
    const message = await messages.create({
      to,
      body,
      ...sender(ctx),
      statusCallback: withConnectionOverrides(`${ctx.config.publicBaseUrl}/twilio/sms/status?smsId=${row.id}`),
    });
    await end({ state: "sent", messageSid: message.sid, twilioStatus: message.status ?? "queued" });
    return "sent";
  } catch (err) {
    const f = classifySmsError(err as { status?: unknown; code?: unknown; message?: unknown });
    if (f.kind === "retry") {
      const at = nextSmsTry(row.attempts, ctx.now(), Math.random());
      if (at) {
        log.warn("SMS create failed; retrying later", { code: f.code, attempt: row.attempts, retryAt: at });
        await releaseSms(ctx.prisma, { id: row.id, token, dueAt: at, errorCode: f.code });
        return "retried";
      }
      await end({ state: "failed", reason: "retries_exhausted", errorCode: f.code });
      return "failed";
    }
    if (f.kind === "carrier_opt_out") {
      // The citizen has blocked our sender at the carrier: we honour it as an opt-out here too.
      await ctx.prisma.$transaction(async (tx) => {
        await optOutNumber(tx, {
          organizationId: row.organizationId,
          numberHash: row.callerHash!,
          source: "sms-carrier",
          at: ctx.now(),
        });
        const done = await finishSms(tx, {
          id: row.id,
          token,
          at: ctx.now(),
          end: { state: "failed", reason: "carrier_opt_out", errorCode: f.code },
        });
        if (!done) log.warn("SMS claim lost before its end was recorded", { end: "failed" });
      });
      log.info("SMS refused: recipient opted out at the carrier; opt-out recorded", { code: f.code });
      return "failed";
    }
    const reason =
      f.kind === "invalid_number" ? "invalid_number" : f.kind === "uncertain" ? "uncertain" : "twilio_error";
    await end({ state: "failed", reason, errorCode: f.code });
    return "failed";
  }
}

/** Why a claimed SMS must not be sent at all, or null. */
function skipReason(row: ClaimedSmsRow, enabled: boolean, now: Date): string | null {
  if (row.optedOut) return "opted_out";
  if (!row.callerNumberEnc || !row.callerHash) return "no_number";
  if (!enabled) return "fallback_off";
  if (now.getTime() - row.createdAt.getTime() > SMS_MAX_DELAY_MS) return "too_late";
  return null;
}

/** English for English-flow surveys, Swedish otherwise. */
function languageOf(flowId: string): SmsLanguage {
  return /(^|-)en($|-)/.test(flowId) ? "en" : "sv";
}

/** A messaging service when configured, else the sender id or number. */
function sender(ctx: AppContext): { messagingServiceSid: string } | { from: string } {
  if (ctx.config.SMS_MESSAGING_SERVICE_SID) return { messagingServiceSid: ctx.config.SMS_MESSAGING_SERVICE_SID };
  return { from: ctx.config.SMS_FROM ?? ctx.twilioCredentials.fromNumber };
}
