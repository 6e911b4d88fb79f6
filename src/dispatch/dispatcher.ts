import { setTimeout as sleep } from "node:timers/promises";
import type { AppContext } from "../context.js";
import { surveyEntered } from "../lib/metrics.js";
import { isWithinCallingHours, nextCallingTime } from "../intake/calling-window.js";
import { MARK_LEAD_MS, markSending, type DispatchOptions } from "./fence.js";
import { moveSurvey, policyFor } from "./moves.js";
import { placeCall, type ReadyCall } from "./place-call.js";
import { claimDueSurveys, findExpired, type ClaimedForDial, type ClaimedSurvey } from "./repository.js";
import { bookSlots, waitForSlot } from "./throttle.js";

/** Seconds of work one tick claims: enough that one instance keeps the pipe full between ticks. */
const CLAIM_HORIZON_SECONDS = 2;
const MAX_BATCH = 50;
/** Claims whose slot is further away than this go back (the shared clock is booked up by others). */
export const MAX_SLOT_WAIT_MS = 15_000;
/** A send that keeps missing its slot (a starved process) goes back to the queue after this many. */
const MAX_SLOT_BOOKINGS = 4;

/** Per service context: whether it may still claim, and when its scheduled tick last started. */
const runState = new WeakMap<object, { stopped: boolean; lastTickAt: Date | null }>();
const stateOf = (ctx: AppContext) => {
  let s = runState.get(ctx);
  if (!s) runState.set(ctx, (s = { stopped: false, lastTickAt: null }));
  return s;
};

/** Shutdown: from now on this context claims nothing (a tick in flight places what it already holds). */
export function stopDispatcher(ctx: AppContext): void {
  stateOf(ctx).stopped = true;
}

/** The scheduled tick's heartbeat (src/dispatch/jobs.ts), read by /readyz. */
export function markDispatcherTick(ctx: AppContext): void {
  stateOf(ctx).lastTickAt = ctx.now();
}

/** For /readyz: stopped (shutting down), and the last scheduled tick (null = the dispatcher does not run here). */
export function dispatcherStatus(ctx: AppContext): { stopped: boolean; lastTickAt: Date | null } {
  const s = stateOf(ctx);
  return { stopped: s.stopped, lastTickAt: s.lastTickAt };
}

export interface TickResult {
  expired: number;
  claimed: number;
  dialled: number;
  deferred: number;
}

/**
 * One dispatcher tick: expire what can no longer start, claim due surveys
 * (atomic, bounded, capped by live calls), recheck calling hours and opt-outs
 * at dial time, book send slots on the shared clock and place each call at
 * its slot. Safe to run on several instances at once.
 */
export async function dispatchTick(ctx: AppContext, opts: DispatchOptions = {}): Promise<TickResult> {
  const result: TickResult = { expired: 0, claimed: 0, dialled: 0, deferred: 0 };
  if (stateOf(ctx).stopped) return result;
  warmUp(ctx);
  result.expired = await expireOverdue(ctx);
  // Checked again: a SIGTERM during the expiry must already stop the claim.
  if (stateOf(ctx).stopped) return result;
  const cps = ctx.config.DISPATCH_CALLS_PER_SECOND;
  const claimed = await claimDueSurveys(ctx.prisma, {
    instanceId: ctx.instanceId,
    now: ctx.now(),
    limit: Math.min(MAX_BATCH, Math.max(1, Math.ceil(cps * CLAIM_HORIZON_SECONDS))),
    maxConcurrent: ctx.config.DISPATCH_MAX_CONCURRENT,
  });
  result.claimed = claimed.length;
  surveyEntered("dialling", claimed.length);
  if (claimed.length === 0) return result;
  for (const { survey: c } of claimed) {
    ctx.events.publish({
      type: "survey.state",
      organizationId: c.organizationId,
      surveyId: c.id,
      from: "scheduled",
      to: "dialling",
      at: ctx.now().toISOString(),
    });
  }

  const ready = await prepare(ctx, claimed);
  result.deferred = claimed.length - ready.length;
  if (ready.length === 0) return result;

  const booking = await bookSlots(ctx.prisma, cps, ready.length);
  if (booking.waitMs > MAX_SLOT_WAIT_MS) {
    // The booked slots are lost, which only lowers the rate: the limit holds.
    for (const r of ready)
      await release(ctx, r.survey, "slot_wait_too_long", new Date(ctx.now().getTime() + booking.waitMs));
    result.deferred += ready.length;
    return result;
  }
  const outcomes = await Promise.all(
    ready.map(async (r, i) => {
      let slot = booking.slotAt(i);
      for (let attempt = 0; attempt < MAX_SLOT_BOOKINGS; attempt++) {
        // The send mark comes just before the slot, so its round trip is not in the slot's tolerance.
        const lead = slot - MARK_LEAD_MS - Date.now();
        if (lead > 0) await sleep(lead);
        await opts.hooks?.beforeMark?.(r.survey.id);
        const fence = await markSending(ctx, r.survey, opts);
        if (!fence) {
          ctx.logger.warn("claim lost before the send (taken over or lease over); not dialling", {
            surveyId: r.survey.id,
          });
          return false;
        }
        if (await waitForSlot(slot)) {
          await opts.hooks?.beforeSend?.(r.survey.id, slot);
          // Last check before the request: a process paused since its mark never sends.
          if (fence.holds()) return placeCall(ctx, r);
          ctx.logger.warn("send deadline passed after the send mark (process paused?); not dialling", {
            surveyId: r.survey.id,
          });
          await release(ctx, r.survey, "send_deadline_passed", ctx.now());
          return false;
        }
        slot = (await bookSlots(ctx.prisma, cps, 1)).slotAt(0);
      }
      await release(ctx, r.survey, "missed_send_slot", ctx.now());
      return false;
    }),
  );
  result.dialled = outcomes.filter(Boolean).length;
  return result;
}

const warmed = new WeakSet<object>();

/**
 * A process's first request through twilio-node costs far more than the rest
 * (lazy modules, JIT, TCP/TLS connect: 30 ms before it leaves, 150 ms to
 * arrive, measured on loopback). Made during the first booking's lead time, a
 * harmless authenticated GET (the account) takes that cost outside any send
 * slot, so the first survey call leaves on time like the others.
 */
function warmUp(ctx: AppContext) {
  if (warmed.has(ctx.twilio)) return;
  warmed.add(ctx.twilio);
  void ctx.twilio.calls;
  ctx.twilio.api.v2010
    .accounts(ctx.twilioCredentials.accountSid)
    .fetch()
    .catch((err) => ctx.logger.debug("Twilio warm-up request failed (harmless)", { err: (err as Error).message }));
}

/** Expires scheduled surveys past expiresAt, a bounded batch per tick. */
async function expireOverdue(ctx: AppContext): Promise<number> {
  const now = ctx.now();
  let n = 0;
  for (const s of await findExpired(ctx.prisma, now, 100)) {
    const moved = await moveSurvey(ctx, {
      surveyId: s.id,
      organizationId: s.organizationId,
      from: "scheduled",
      to: "expired",
      at: now,
      event: "expired",
      data: { outcome: "expired" },
    });
    if (moved) n++;
  }
  if (n > 0) ctx.logger.info("surveys expired before they could start", { count: n });
  return n;
}

/** Dial-time checks on what the claim returned; what passes is ready to dial, the rest is moved on. */
async function prepare(ctx: AppContext, claimed: ClaimedForDial[]): Promise<ReadyCall[]> {
  const ready: ReadyCall[] = [];
  for (const d of claimed) {
    const { survey } = d;
    const now = ctx.now();
    const base = {
      surveyId: survey.id,
      organizationId: survey.organizationId,
      from: "dialling" as const,
      at: now,
      claimToken: survey.claimToken,
    };
    if (d.optedOut) {
      await moveSurvey(ctx, {
        ...base,
        to: "canceled",
        event: "opted-out-before-dial",
        data: { outcome: "opted_out_meanwhile" },
      });
      continue;
    }
    if (!d.callerNumberEnc) {
      await moveSurvey(ctx, { ...base, to: "failed", event: "number-missing", data: { outcome: "number_missing" } });
      continue;
    }
    const { window } = policyFor(d.organization, d.group);
    if (!isWithinCallingHours(now, window)) {
      const next = nextCallingTime(now, window);
      if (!next || next >= survey.expiresAt) {
        await moveSurvey(ctx, {
          ...base,
          to: "expired",
          event: "outside-calling-hours",
          data: { outcome: "expired", claimedBy: null, claimedAt: null },
        });
      } else {
        await release(ctx, survey, "outside_calling_hours", next);
      }
      continue;
    }
    ready.push({ survey, to: ctx.numbers.decrypt(d.callerNumberEnc) });
  }
  return ready;
}

/** Back to `scheduled` without counting the attempt: no call was made. Only while the claim is still ours. */
async function release(ctx: AppContext, survey: ClaimedSurvey, reason: string, at: Date) {
  const moved = await moveSurvey(ctx, {
    claimToken: survey.claimToken,
    surveyId: survey.id,
    organizationId: survey.organizationId,
    from: "dialling",
    to: "scheduled",
    at: ctx.now(),
    event: "deferred",
    detail: { reason, nextAttemptAt: at.toISOString() },
    data: { nextAttemptAt: at, attempts: { decrement: 1 }, claimedBy: null, claimedAt: null },
  });
  if (moved) ctx.logger.debug("survey deferred", { surveyId: survey.id, reason, nextAttemptAt: at.toISOString() });
}
