import type { AppContext } from "../context.js";
import { maskPhone } from "../lib/logger.js";
import { callPlaced } from "../lib/metrics.js";
import { withConnectionOverrides } from "../telephony/signature.js";
import { moveSurvey } from "./moves.js";
import { recordDialled, recordDialUncertain, type ClaimedSurvey } from "./repository.js";
import {
  backoffDelayMs,
  CALL_TIME_LIMIT_SECONDS,
  classifyDialError,
  DIAL_BACKOFF,
  RING_TIMEOUT_SECONDS,
} from "./rules.js";

export interface ReadyCall {
  survey: ClaimedSurvey;
  /** E.164, decrypted just for this request; never logged unmasked. */
  to: string;
}

/** The calls.create parameters for one survey; every callback carries the survey id. */
export function callParameters(ctx: AppContext, survey: { id: string; flowId: string }, to: string) {
  const base = ctx.config.publicBaseUrl;
  const q = `surveyId=${encodeURIComponent(survey.id)}`;
  return {
    to,
    from: ctx.twilioCredentials.fromNumber,
    // The flow lets the first TwiML start the survey before reading it (src/survey/service.ts).
    url: `${base}/twilio/voice?${q}&flow=${encodeURIComponent(survey.flowId)}`,
    method: "POST",
    // Callbacks carry Twilio's retry overrides: one whose handling failed (5xx) comes again.
    statusCallback: withConnectionOverrides(`${base}/twilio/status?${q}`),
    statusCallbackMethod: "POST",
    statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    machineDetection: "Enable",
    asyncAmd: "true",
    asyncAmdStatusCallback: withConnectionOverrides(`${base}/twilio/amd?${q}`),
    asyncAmdStatusCallbackMethod: "POST",
    timeout: RING_TIMEOUT_SECONDS,
    timeLimit: CALL_TIME_LIMIT_SECONDS,
  };
}

/**
 * Places one claimed survey's call; the caller has passed the fence (fence.ts)
 * immediately before. Twilio has no idempotency key for
 * calls.create, so this request is made exactly once per claim and its
 * failures are sorted by whether a call may exist (rules.classifyDialError):
 * rejected → back to `scheduled` with backoff or `failed`; uncertain
 * (timeout, reset) → stays `dialling` without a Call SID until reconcile.ts
 * finds the call in Twilio's call list or proves there is none.
 */
export async function placeCall(ctx: AppContext, r: ReadyCall): Promise<boolean> {
  const { survey } = r;
  const log = ctx.logger.child({ surveyId: survey.id, attempt: survey.attempts });
  let call: { sid: string; status: string };
  try {
    call = await ctx.twilio.calls.create(callParameters(ctx, survey, r.to));
  } catch (err) {
    await handleDialError(ctx, survey, err, log);
    return false;
  }
  // Outside the try above: a database error here (a pg ECONNREFUSED looks like
  // a pre-send network error) must never be taken for Twilio's, or the survey
  // would go back to the queue with a live call. Unrecorded, the SID still
  // arrives with the status callbacks, or reconciliation adopts the call.
  try {
    await recordDialled(ctx.prisma, {
      surveyId: survey.id,
      callSid: call.sid,
      at: ctx.now(),
      detail: { attempt: survey.attempts, status: call.status },
    });
  } catch (err) {
    log.error("survey call placed but not recorded; callbacks or reconciliation will bring its SID", {
      callSid: call.sid,
      err: (err as Error).message,
    });
  }
  callPlaced();
  log.info("survey call placed", { callSid: call.sid, to: maskPhone(r.to) });
  return true;
}

async function handleDialError(ctx: AppContext, survey: ClaimedSurvey, err: unknown, log: AppContext["logger"]) {
  const f = classifyDialError(typeof err === "object" && err !== null ? err : {});
  const now = ctx.now();
  const base = {
    surveyId: survey.id,
    organizationId: survey.organizationId,
    from: "dialling" as const,
    at: now,
    // After a long pause another instance may hold the claim by now: its state is not ours to change.
    claimToken: survey.claimToken,
  };
  if (f.kind === "not_created_retry") {
    const failures =
      1 + (await ctx.prisma.surveyEvent.count({ where: { surveyId: survey.id, type: "dial-rejected" } }));
    const delayMs = backoffDelayMs(failures, DIAL_BACKOFF, Math.random());
    const nextAttemptAt = new Date(now.getTime() + delayMs);
    await moveSurvey(ctx, {
      ...base,
      to: "scheduled",
      event: "dial-rejected",
      detail: { code: f.code, message: f.message, failures, retryInMs: delayMs },
      // The citizen's phone never rang: the attempt does not count.
      data: {
        nextAttemptAt,
        attempts: { decrement: 1 },
        claimedBy: null,
        claimedAt: null,
        errorCode: f.code,
        errorMessage: f.message,
      },
    });
    log.warn("Twilio did not take the call; retrying later", { code: f.code, message: f.message, retryInMs: delayMs });
  } else if (f.kind === "not_created_final") {
    await moveSurvey(ctx, {
      ...base,
      to: "failed",
      event: "dial-failed",
      detail: { code: f.code, message: f.message },
      data: { outcome: "dial_rejected", errorCode: f.code, errorMessage: f.message },
    });
    log.error("Twilio refused the call", { code: f.code, message: f.message });
  } else {
    await recordDialUncertain(ctx.prisma, { surveyId: survey.id, at: now, code: f.code, message: f.message });
    log.warn("calls.create outcome unknown; reconciliation will look for the call at Twilio", {
      code: f.code,
      message: f.message,
    });
  }
}
