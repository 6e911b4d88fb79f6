import type { AppContext } from "../context.js";
import type { SurveyState } from "../generated/prisma/enums.js";
import { recordEvent } from "../survey/state.js";
import { moveSurvey, policyFor } from "./moves.js";
import { decideRetry, outcomeForCallStatus, shouldHangUpOnMachine } from "./rules.js";

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

const loadForOutcome = (ctx: AppContext, surveyId: string) =>
  ctx.prisma.surveyCall.findUnique({
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

/**
 * Applies a final Twilio call status to the survey: no-answer/busy → retry or
 * final no_answer; failed/canceled → failed with Twilio's error; completed →
 * partial or hung-up-before-first-answer (see rules.outcomeForCallStatus).
 * Non-final statuses and statuses that arrive after a final state change
 * nothing, which makes replays and out-of-order delivery harmless. A guarded
 * transition that loses a race is re-evaluated against the new state.
 */
export async function applyCallStatus(ctx: AppContext, r: CallStatusReport): Promise<SurveyState | null> {
  const log = ctx.logger.child({ surveyId: r.surveyId, callSid: r.callSid });
  for (let round = 0; round < 3; round++) {
    const s = await loadForOutcome(ctx, r.surveyId);
    if (!s) return null;
    const o = outcomeForCallStatus(r.status, s.state, s._count.answers);
    if (o.kind === "ignore") return null;
    const base = { surveyId: r.surveyId, organizationId: s.organizationId, from: s.state, at: r.at, callSid: r.callSid };
    if (o.kind === "final") {
      const moved = await moveSurvey(ctx, {
        ...base,
        to: o.state,
        event: r.source,
        detail: { callStatus: r.status, outcome: o.outcome, errorCode: r.errorCode ?? undefined },
        data: { outcome: o.outcome, errorCode: r.errorCode ?? null, errorMessage: r.errorMessage ?? null },
      });
      if (moved) {
        log.info("survey call ended", { callStatus: r.status, state: o.state, outcome: o.outcome, errorCode: r.errorCode });
        return o.state;
      }
      continue;
    }
    const policy = policyFor(s.organization, s.group);
    const decision = decideRetry({ attempts: s.attempts, now: r.at, expiresAt: s.expiresAt }, policy.settings, policy.window);
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
 * without a message, unless a keypress already proved a human: the row is
 * locked while deciding, so a keypress stored meanwhile is seen. Human and
 * unknown verdicts are recorded without overwriting a keypress's "human".
 */
export async function applyAmdResult(
  ctx: AppContext,
  a: { surveyId: string; callSid: string; answeredBy: string; at: Date; detectionMs?: number },
): Promise<"hung_up" | "recorded" | "ignored"> {
  const log = ctx.logger.child({ surveyId: a.surveyId, callSid: a.callSid });
  const decided = await ctx.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ state: SurveyState; answeredBy: string | null; organizationId: string }[]>`
      SELECT state, "answeredBy", "organizationId" FROM "SurveyCall" WHERE id = ${a.surveyId}::uuid FOR UPDATE`;
    const s = rows[0];
    if (!s) return "ignored" as const;
    const detail = { answeredBy: a.answeredBy, detectionMs: a.detectionMs };
    if (shouldHangUpOnMachine(a.answeredBy, s.answeredBy)) {
      if (s.state !== "dialling" && s.state !== "in_progress") return "ignored" as const;
      const moved = await moveSurvey(
        ctx,
        {
          surveyId: a.surveyId,
          organizationId: s.organizationId,
          from: s.state,
          to: "machine",
          at: a.at,
          event: "amd-callback",
          callSid: a.callSid,
          detail,
          data: { answeredBy: "machine", outcome: a.answeredBy === "fax" ? "fax" : "answering_machine" },
        },
        tx,
      );
      return moved ? ("hung_up" as const) : ("ignored" as const);
    }
    // Reached with human/unknown, or with a machine verdict that a keypress already overruled.
    if (s.answeredBy !== "human") {
      await tx.surveyCall.update({ where: { id: a.surveyId }, data: { answeredBy: a.answeredBy === "human" ? "human" : "unknown" } });
    }
    await recordEvent(tx, { surveyId: a.surveyId, at: a.at, type: "amd-callback", callSid: a.callSid, detail: { ...detail, kept: s.answeredBy === "human" } });
    return "recorded" as const;
  });
  if (decided !== "hung_up") {
    log.info("answering-machine detection recorded", { answeredBy: a.answeredBy, result: decided });
    return decided;
  }
  try {
    // Ending the call from our side leaves nothing on the machine.
    await ctx.twilio.calls(a.callSid).update({ status: "completed" });
    log.info("answering machine: hung up", { answeredBy: a.answeredBy });
  } catch (err) {
    // The call may already be over; either way the flow answers a machine-state survey with a hang-up.
    log.warn("answering machine: hang-up request failed", { err: errorSummary(err) });
    await recordEvent(ctx.prisma, { surveyId: a.surveyId, at: ctx.now(), type: "hangup-failed", callSid: a.callSid, detail: errorSummary(err) });
  }
  return "hung_up";
}

export function errorSummary(err: unknown): Record<string, unknown> {
  const e = err as { status?: unknown; code?: unknown; message?: unknown };
  return { status: e?.status, code: e?.code, message: typeof e?.message === "string" ? e.message.slice(0, 300) : String(err) };
}
