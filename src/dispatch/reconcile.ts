import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import type { SurveyState } from "../generated/prisma/enums.js";
import { recordEvent } from "../survey/state.js";
import { moveSurvey } from "./moves.js";
import { applyCallStatus, errorSummary } from "./outcomes.js";
import { findStale, knownCallSids } from "./repository.js";
import {
  backoffDelayMs,
  DIAL_BACKOFF,
  FINAL_CALL_STATUSES,
  maxCallLifetimeMs,
  unconfirmedDialSettleMs,
} from "./rules.js";
import { MAX_SLOT_WAIT_MS } from "./dispatcher.js";
import { SEND_DEADLINE_MS } from "./fence.js";

/** Upper bound of the REST timeout of any configured twilio-node client. */
const REST_TIMEOUT_MS = 10_000;
/** Twilio's and our clocks may disagree a little when matching a listed call to a claim. */
const CLOCK_SKEW_MS = 120_000;

interface Stale {
  id: string;
  organizationId: string;
  state: SurveyState;
  callSid: string | null;
  claimedAt: Date | null;
  /** Null on claims made before fencing existed: treated as possibly sent. */
  claimToken: string | null;
  sendingAt: Date | null;
}

/**
 * Finds surveys whose state can no longer be true (an instance died, a
 * callback was lost, calls.create timed out) and asks Twilio what happened.
 * Each is re-claimed first with a guarded update, so with several instances
 * exactly one reconciles it, and a still-live call is looked at again only
 * after another full call lifetime.
 */
export async function reconcileStale(ctx: AppContext): Promise<number> {
  const now = ctx.now();
  const stale = await findStale(ctx.prisma, {
    unconfirmedBefore: new Date(now.getTime() - unconfirmedDialSettleMs(REST_TIMEOUT_MS) - MAX_SLOT_WAIT_MS),
    liveBefore: new Date(now.getTime() - maxCallLifetimeMs()),
    limit: 20,
  });
  let handled = 0;
  for (const s of stale) {
    // Taking the claim over writes a new token: the previous holder can no
    // longer mark a send (fence.ts). Guarded on the send mark as read, so a
    // holder that marked meanwhile wins and is looked at with its mark.
    const token = randomUUID();
    const { count } = await ctx.prisma.surveyCall.updateMany({
      where: { id: s.id, state: s.state, claimedAt: s.claimedAt, sendingAt: s.sendingAt },
      data: { claimedAt: now, claimedBy: ctx.instanceId, claimToken: token },
    });
    if (count === 0) continue;
    try {
      if (s.callSid) await reconcileKnownCall(ctx, s as Stale & { callSid: string });
      else await reconcileUnconfirmed(ctx, s, token);
      handled++;
    } catch (err) {
      ctx.logger.warn("reconciliation failed; will retry", { surveyId: s.id, err: errorSummary(err) });
    }
  }
  return handled;
}

async function reconcileKnownCall(ctx: AppContext, s: Stale & { callSid: string }) {
  const now = ctx.now();
  let status: string;
  try {
    status = (await ctx.twilio.calls(s.callSid).fetch()).status;
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
    status = "unknown";
  }
  await recordEvent(ctx.prisma, {
    surveyId: s.id,
    at: now,
    type: "reconcile-fetched",
    callSid: s.callSid,
    detail: { callStatus: status, state: s.state },
  });
  if (FINAL_CALL_STATUSES.has(status)) {
    const to = await applyCallStatus(ctx, { surveyId: s.id, callSid: s.callSid, status, at: now, source: "reconcile" });
    ctx.logger.info("stale survey reconciled from Twilio", {
      surveyId: s.id,
      callSid: s.callSid,
      callStatus: status,
      state: to,
    });
  } else if (status === "unknown") {
    await moveSurvey(ctx, {
      surveyId: s.id,
      organizationId: s.organizationId,
      from: s.state,
      to: "failed",
      at: now,
      event: "reconcile",
      callSid: s.callSid,
      data: { outcome: "call_not_found" },
    });
    ctx.logger.warn("stale survey's call is unknown at Twilio; marked failed", { surveyId: s.id, callSid: s.callSid });
  } else {
    ctx.logger.warn("call still live at Twilio past its time limit", {
      surveyId: s.id,
      callSid: s.callSid,
      callStatus: status,
    });
  }
}

/**
 * A claim without a Call SID: calls.create timed out, or the instance died
 * around it. Twilio cannot be asked "did request X create a call", so it is
 * asked for the calls to this number from our number created since the
 * claim: the claim makes this survey the only one that may have called it.
 * Found → adopt it (and its final status); none → the call was never created
 * and the survey goes back to `scheduled`, the attempt not counted.
 */
async function reconcileUnconfirmed(ctx: AppContext, s: Stale, token: string) {
  const now = ctx.now();
  if (s.state === "dialling" && s.claimToken !== null && s.sendingAt === null) {
    // Never marked, and the takeover fenced the old holder out: no call exists or can.
    await reschedule(ctx, s, token, "reconcile-not-sent");
    return;
  }
  const row = await ctx.prisma.surveyCall.findUniqueOrThrow({
    where: { id: s.id },
    select: { completedCall: { select: { callerNumberEnc: true } } },
  });
  const enc = row.completedCall.callerNumberEnc;
  const since = (s.claimedAt?.getTime() ?? now.getTime()) - CLOCK_SKEW_MS;
  const known = await knownCallSids(ctx.prisma, s.id);
  const listed = enc
    ? await ctx.twilio.calls.list({ to: ctx.numbers.decrypt(enc), from: ctx.twilioCredentials.fromNumber, limit: 20 })
    : [];
  const match = listed
    .filter((c) => !known.has(c.sid) && new Date(c.dateCreated).getTime() >= since)
    .sort((a, b) => new Date(b.dateCreated).getTime() - new Date(a.dateCreated).getTime())[0];
  if (match) {
    await ctx.prisma.$transaction(async (tx) => {
      await tx.surveyCall.updateMany({ where: { id: s.id, callSid: null }, data: { callSid: match.sid } });
      await recordEvent(tx, {
        surveyId: s.id,
        at: now,
        type: "reconcile-adopted",
        callSid: match.sid,
        detail: { callStatus: match.status },
      });
    });
    ctx.logger.info("unconfirmed call found at Twilio and adopted", {
      surveyId: s.id,
      callSid: match.sid,
      callStatus: match.status,
    });
    if (FINAL_CALL_STATUSES.has(match.status)) {
      await applyCallStatus(ctx, {
        surveyId: s.id,
        callSid: match.sid,
        status: match.status,
        at: now,
        source: "reconcile",
      });
    }
    return;
  }
  if (s.state !== "dialling") {
    await moveSurvey(ctx, {
      surveyId: s.id,
      organizationId: s.organizationId,
      from: s.state,
      to: "failed",
      at: now,
      event: "reconcile",
      data: { outcome: "call_not_found" },
    });
    return;
  }
  // A holder may start its request up to SEND_DEADLINE_MS after its mark, and
  // Twilio may list a call only once the request has settled: before that, an
  // empty list proves nothing, so the survey is left for a later look.
  const markedMsAgo = s.sendingAt ? now.getTime() - s.sendingAt.getTime() : Infinity;
  if (markedMsAgo < SEND_DEADLINE_MS + unconfirmedDialSettleMs(REST_TIMEOUT_MS)) {
    ctx.logger.info("no call listed yet for a recent send mark; looking again later", { surveyId: s.id });
    return;
  }
  await reschedule(ctx, s, token, "reconcile-no-call");
}

/** Back to `scheduled`, the attempt not counted, guarded on the takeover's token. */
async function reschedule(ctx: AppContext, s: Stale, token: string, event: string) {
  const now = ctx.now();
  const failures =
    1 +
    (await ctx.prisma.surveyEvent.count({
      where: { surveyId: s.id, type: { in: ["dial-rejected", "reconcile-no-call"] } },
    }));
  const nextAttemptAt = new Date(now.getTime() + backoffDelayMs(failures, DIAL_BACKOFF, Math.random()));
  await moveSurvey(ctx, {
    surveyId: s.id,
    organizationId: s.organizationId,
    from: "dialling",
    to: "scheduled",
    at: now,
    event,
    claimToken: token,
    detail: { nextAttemptAt: nextAttemptAt.toISOString() },
    data: { nextAttemptAt, attempts: { decrement: 1 }, claimedBy: null, claimedAt: null },
  });
  ctx.logger.info("no call was or can be created for an unconfirmed dial; rescheduled", {
    surveyId: s.id,
    event,
    nextAttemptAt: nextAttemptAt.toISOString(),
  });
}
