import type { AppContext } from "../context.js";
import type { SurveyState } from "../generated/prisma/enums.js";
import { recordEvent } from "../survey/state.js";
import { readSurveyForAmd, recordAmdVerdict, type AmdSurvey, type CallbackSurvey } from "./callback-repository.js";
import { moveSurvey, policyFor } from "./moves.js";
import { decideRetry, outcomeForCallStatus, shouldHangUpOnMachine } from "./rules.js";
import { scrubPhoneNumbers } from "../lib/scrub.js";
import { smsDueAt } from "../sms/rules.js";

export interface CallStatusReport {
  surveyId: string;
  callSid: string;
  status: string;
  at: Date;
  /** "status-callback" or "reconcile": who learned the status. */
  source: string;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** What deciding an outcome needs; callbacks pass the row they already read (src/dispatch/callback-repository.ts). */
export type OutcomeSurvey = Pick<
  CallbackSurvey,
  "state" | "attempts" | "expiresAt" | "organizationId" | "answers" | "orgSettings" | "timeZone" | "groupSettings"
>;

async function loadForOutcome(ctx: AppContext, surveyId: string): Promise<OutcomeSurvey | null> {
  const s = await ctx.prisma.surveyCall.findUnique({
    where: { id: surveyId },
    select: {
      state: true,
      attempts: true,
      expiresAt: true,
      organizationId: true,
      _count: { select: { answers: true } },
      organization: { select: { settings: true, timeZone: true } },
      group: { select: { settings: true } },
    },
  });
  return (
    s && {
      state: s.state,
      attempts: s.attempts,
      expiresAt: s.expiresAt,
      organizationId: s.organizationId,
      answers: s._count.answers,
      orgSettings: s.organization.settings,
      timeZone: s.organization.timeZone,
      groupSettings: s.group.settings,
    }
  );
}

/**
 * Applies a final Twilio call status to the survey: no-answer/busy → retry or
 * final no_answer; failed/canceled → failed with Twilio's error; completed →
 * partial or hung-up-before-first-answer (see rules.outcomeForCallStatus).
 * Non-final statuses and statuses that arrive after a final state change
 * nothing, which makes replays and out-of-order delivery harmless. A guarded
 * transition that loses a race is re-evaluated against the new state.
 */
export async function applyCallStatus(
  ctx: AppContext,
  r: CallStatusReport,
  current?: OutcomeSurvey,
): Promise<SurveyState | null> {
  const log = ctx.logger.child({ surveyId: r.surveyId, callSid: r.callSid });
  for (let round = 0; round < 3; round++) {
    const s = round === 0 && current ? current : await loadForOutcome(ctx, r.surveyId);
    if (!s) return null;
    const o = outcomeForCallStatus(r.status, s.state, s.answers);
    if (o.kind === "ignore") return null;
    const base = {
      surveyId: r.surveyId,
      organizationId: s.organizationId,
      from: s.state,
      at: r.at,
      callSid: r.callSid,
    };
    const policy = policyFor({ settings: s.orgSettings, timeZone: s.timeZone }, { settings: s.groupSettings });
    // The SMS fallback (src/sms) after the last unanswered attempt; scheduled in the same statement as the move.
    const smsAt = (state: SurveyState, outcome: string) =>
      smsDueAt({ enabled: policy.settings.smsFallback, state, outcome, at: r.at }, policy.window) ?? undefined;
    if (o.kind === "final") {
      const moved = await moveSurvey(ctx, {
        ...base,
        to: o.state,
        smsDueAt: smsAt(o.state, o.outcome),
        event: r.source,
        detail: { callStatus: r.status, outcome: o.outcome, errorCode: r.errorCode ?? undefined },
        data: {
          outcome: o.outcome,
          errorCode: r.errorCode ?? null,
          errorMessage: scrubPhoneNumbers(r.errorMessage) ?? null,
        },
      });
      if (moved) {
        log.info("survey call ended", {
          callStatus: r.status,
          state: o.state,
          outcome: o.outcome,
          errorCode: r.errorCode,
        });
        return o.state;
      }
      continue;
    }
    const decision = decideRetry(
      { attempts: s.attempts, now: r.at, expiresAt: s.expiresAt },
      policy.settings,
      policy.window,
    );
    const moved =
      decision.kind === "retry"
        ? await moveSurvey(ctx, {
            ...base,
            to: "scheduled",
            event: r.source,
            detail: { callStatus: r.status, retryAt: decision.at.toISOString(), attempt: s.attempts },
            data: { outcome: o.outcome, nextAttemptAt: decision.at, claimedBy: null, claimedAt: null },
          })
        : await moveSurvey(ctx, {
            ...base,
            to: "no_answer",
            event: r.source,
            detail: { callStatus: r.status, reason: decision.reason, attempt: s.attempts },
            data: { outcome: o.outcome },
            smsDueAt: smsAt("no_answer", o.outcome),
          });
    if (moved) {
      log.info(decision.kind === "retry" ? "no answer: retry scheduled" : "no answer: no more attempts", {
        callStatus: r.status,
        attempt: s.attempts,
        ...(decision.kind === "retry" ? { retryAt: decision.at.toISOString() } : { reason: decision.reason }),
      });
      return decision.kind === "retry" ? "scheduled" : "no_answer";
    }
  }
  return null;
}

/**
 * Asynchronous answering-machine detection. A machine (or fax) is hung up on
 * without a message, unless a keypress already proved a human: the state
 * change is guarded on that in the same statement, so a keypress stored
 * meanwhile wins. Human and unknown verdicts are recorded without overwriting
 * a keypress's "human".
 */
export async function applyAmdResult(
  ctx: AppContext,
  a: { surveyId: string; callSid: string; answeredBy: string; at: Date; detectionMs?: number },
  current?: AmdSurvey,
): Promise<"hung_up" | "recorded" | "ignored"> {
  const log = ctx.logger.child({ surveyId: a.surveyId, callSid: a.callSid });
  const detail = { answeredBy: a.answeredBy, detectionMs: a.detectionMs };
  let s = current ?? (await readSurveyForAmd(ctx.prisma, a.surveyId));
  if (!s) return "ignored";
  if (shouldHangUpOnMachine(a.answeredBy, s.answeredBy)) {
    if (s.state !== "dialling" && s.state !== "in_progress") return "ignored";
    const policy = policyFor({ settings: s.orgSettings, timeZone: s.timeZone }, { settings: s.groupSettings });
    const moved = await moveSurvey(ctx, {
      surveyId: a.surveyId,
      organizationId: s.organizationId,
      from: s.state,
      to: "machine",
      at: a.at,
      event: "amd-callback",
      callSid: a.callSid,
      detail,
      unlessHuman: true,
      data: { answeredBy: "machine", outcome: a.answeredBy === "fax" ? "fax" : "answering_machine" },
      smsDueAt:
        smsDueAt(
          { enabled: policy.settings.smsFallback, state: "machine", outcome: "answering_machine", at: a.at },
          policy.window,
        ) ?? undefined,
    });
    if (moved) return hangUpOnMachine(ctx, a, log);
    // A keypress (or a status callback) got there first: record the verdict against what it is now.
    s = await readSurveyForAmd(ctx.prisma, a.surveyId);
    if (!s) return "ignored";
    if (shouldHangUpOnMachine(a.answeredBy, s.answeredBy)) return "ignored";
  }
  // Reached with human/unknown, or with a machine verdict that a keypress already overruled.
  const verdict = a.answeredBy === "human" ? "human" : "unknown";
  const recorded = await recordAmdVerdict(ctx.prisma, {
    surveyId: a.surveyId,
    callSid: a.callSid,
    verdict,
    at: a.at,
    detail,
  });
  log.info("answering-machine detection recorded", {
    answeredBy: a.answeredBy,
    result: recorded ? "recorded" : "ignored",
  });
  return recorded ? "recorded" : "ignored";
}

async function hangUpOnMachine(
  ctx: AppContext,
  a: { surveyId: string; callSid: string; answeredBy: string },
  log: AppContext["logger"],
): Promise<"hung_up"> {
  try {
    // Ending the call from our side leaves nothing on the machine.
    await ctx.twilio.calls(a.callSid).update({ status: "completed" });
    log.info("answering machine: hung up", { answeredBy: a.answeredBy });
  } catch (err) {
    // The call may already be over; either way the flow answers a machine-state survey with a hang-up.
    log.warn("answering machine: hang-up request failed", { err: errorSummary(err) });
    await recordEvent(ctx.prisma, {
      surveyId: a.surveyId,
      at: ctx.now(),
      type: "hangup-failed",
      callSid: a.callSid,
      detail: errorSummary(err),
    });
  }
  return "hung_up";
}

export function errorSummary(err: unknown): Record<string, unknown> {
  const e = err as { status?: unknown; code?: unknown; message?: unknown };
  return {
    status: e?.status,
    code: e?.code,
    message: scrubPhoneNumbers(typeof e?.message === "string" ? e.message.slice(0, 300) : String(err)),
  };
}
