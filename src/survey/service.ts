import type { AppContext } from "../context.js";
import type { DomainEvent } from "../lib/events.js";
import type { Logger } from "../lib/logger.js";
import {
  advance,
  closing,
  isStarted,
  renderStep,
  MESSAGE_STEP,
  END_STEP,
  type EngineInput,
  type EngineResult,
  type Progress,
} from "./engine.js";
import type { Flow } from "./flow-schema.js";
import { optOutByKeypad } from "./optout.js";
import { loadSurveyTurn, markHuman, moveByToken, startByToken, startSurvey, type SurveyTurn } from "./repository.js";
import { fallbackTwiml, renderTwiml, type RenderContext } from "./twiml.js";

export type SurveyCtx = Pick<AppContext, "prisma" | "flows" | "events" | "now" | "config">;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One Twilio webhook turn of the survey flow: load, decide (pure engine),
 * persist, render. Always returns TwiML: a survey that is unknown or over is
 * ended politely, and any failure apologises and hangs up (logged with its cause).
 */
export async function handleSurveyTurn(
  ctx: SurveyCtx,
  log: Logger,
  turn: { surveyId: string; flowId?: string; flowVersion?: string; input: EngineInput; callSid?: string },
): Promise<string> {
  let flow: Flow | undefined;
  let rc: RenderContext | undefined;
  try {
    if (!UUID.test(turn.surveyId)) return unknownSurvey(log, turn);
    // The flow the URL names drives the fast path; should that fail, the apology is in its language.
    if (turn.flowId && ctx.flows.ids().includes(turn.flowId)) {
      // A survey keeps the version it started with: its callbacks carry it (v).
      flow = ctx.flows.getFlowVersion(turn.flowId, turn.flowVersion);
      rc = {
        baseUrl: ctx.config.publicBaseUrl,
        surveyId: turn.surveyId,
        flowId: flow.id,
        flowVersion: flow.version,
        organizationName: "",
      };
    }
    const fast = flow ? await tokenStep(ctx, log, flow, turn) : undefined;
    if (fast) return fast;
    const s = await loadSurveyTurn(ctx.prisma, turn.surveyId);
    if (!s) return unknownSurvey(log, turn);
    flow = ctx.flows.getFlowVersion(s.flowId, s.flowVersion);
    rc = {
      baseUrl: ctx.config.publicBaseUrl,
      surveyId: s.id,
      flowId: s.flowId,
      flowVersion: flow.version,
      organizationName: s.organizationName,
      privacyInfo: s.privacyInfo,
    };
    // A replay after a lost race re-reads once and then simply renders where the survey is.
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = attempt === 0 ? s : await loadSurveyTurn(ctx.prisma, s.id);
      if (!current) return fallbackTwiml("ended");
      const done = await step(ctx, log, flow, rc, current, turn);
      if (done) return done;
    }
    const latest = await loadSurveyTurn(ctx.prisma, s.id);
    log.warn("survey changed under two consecutive callbacks: rendering where it is now", { surveyId: s.id });
    return renderTwiml(
      latest && isStarted(latest.progress) ? renderStep(flow, latest.progress) : closing(flow.error),
      rc,
    );
  } catch (err) {
    log.error("survey webhook failed: apologised to the citizen and hung up", {
      err,
      surveyId: turn.surveyId,
      input: turn.input.kind,
    });
    return flow && rc ? renderTwiml(closing(flow.error), rc) : fallbackTwiml("error");
  }
}

function unknownSurvey(log: Logger, turn: { surveyId: string; callSid?: string; input: EngineInput }) {
  log.warn("Twilio callback for an unknown survey: ending the call politely", {
    surveyId: turn.surveyId,
    callSid: turn.callSid,
    input: turn.input.kind,
  });
  return fallbackTwiml("ended");
}

/**
 * A keypress, silence or recording in one round trip when the survey is where
 * the callback's step token says (the usual case): the engine runs on the
 * token's progress and moveByToken stores the move only if that was right.
 * The first TwiML likewise starts the survey before reading it. Undefined sends
 * the turn down the reading path, which handles everything else (star,
 * replays, races, surveys that are over).
 */
async function tokenStep(
  ctx: SurveyCtx,
  log: Logger,
  flow: Flow,
  turn: { surveyId: string; input: EngineInput; callSid?: string },
) {
  const input = turn.input;
  if (input.kind === "start") return tokenStart(ctx, log, flow, turn);
  // Only a question or the message step is ever stored as progress (a key during the greeting says "intro").
  if (input.step !== MESSAGE_STEP && !flow.questions.some((q) => q.key === input.step)) return undefined;
  const expected = { step: input.step, try: input.try };
  const r = advance(flow, expected, input);
  if (r.stale || r.effect === "optOut" || r.effect === "started") return undefined;
  const moved = await storeMove(ctx, log, turn.surveyId, flow, expected, r);
  if (!moved) return undefined;
  return renderTwiml(r.render, {
    baseUrl: ctx.config.publicBaseUrl,
    surveyId: turn.surveyId,
    flowId: flow.id,
    flowVersion: flow.version,
    organizationName: moved.organizationName,
    privacyInfo: moved.privacyInfo,
  });
}

/**
 * Stores an engine step (progress, the answer, completion) with moveByToken,
 * from the progress the caller believes the survey is at, and announces what
 * it stored. Null when the survey was elsewhere: nothing was stored.
 */
async function storeMove(
  ctx: SurveyCtx,
  log: Logger,
  surveyId: string,
  flow: Flow,
  expected: Progress,
  r: EngineResult,
) {
  const at = ctx.now();
  // Also when a crash once left the questions done but the survey not completed.
  const complete = r.effect === "questionsDone" || r.progress.step === MESSAGE_STEP || r.progress.step === END_STEP;
  const moved = await moveByToken(ctx.prisma, {
    surveyId,
    flowId: flow.id,
    expected,
    next: r.progress,
    humanProof: r.keypress,
    answer: r.answer ? { ...r.answer, answeredAt: at } : undefined,
    flowVersion: flow.version,
    complete,
    at,
  });
  if (!moved) return null;
  if (r.answer && moved.inserted === 1) {
    publishCommitted(ctx, log, {
      type: "answer.stored",
      organizationId: moved.organizationId,
      groupId: moved.groupId,
      agentId: moved.agentId,
      surveyId,
      questionKey: r.answer.questionKey,
      score: r.answer.score,
      answeredAt: at.toISOString(),
    });
  }
  if (moved.state === "completed" && moved.previousState !== "completed") {
    publishCommitted(ctx, log, {
      type: "survey.state",
      organizationId: moved.organizationId,
      surveyId,
      from: moved.previousState,
      to: "completed",
      at: at.toISOString(),
    });
    log.info("survey completed: all questions asked", { surveyId });
  }
  return moved;
}

/** The first TwiML: greeting and first question, starting the survey in the same round trip. */
async function tokenStart(ctx: SurveyCtx, log: Logger, flow: Flow, turn: { surveyId: string; callSid?: string }) {
  const r = advance(flow, {}, { kind: "start" });
  const at = ctx.now();
  const started = await startByToken(ctx.prisma, {
    surveyId: turn.surveyId,
    flowId: flow.id,
    progress: r.progress,
    flowVersion: flow.version,
    at,
    callSid: turn.callSid,
  });
  if (!started) return undefined;
  if (started.previousState !== "in_progress") {
    publishCommitted(ctx, log, {
      type: "survey.state",
      organizationId: started.organizationId,
      surveyId: turn.surveyId,
      from: started.previousState,
      to: "in_progress",
      at: at.toISOString(),
    });
  }
  log.info("survey call answered: flow started", {
    surveyId: turn.surveyId,
    flowId: flow.id,
    flowVersion: flow.version,
  });
  return renderTwiml(r.render, {
    baseUrl: ctx.config.publicBaseUrl,
    surveyId: turn.surveyId,
    flowId: flow.id,
    flowVersion: flow.version,
    organizationName: started.organizationName,
  });
}

/** Whether this survey may still take flow input; otherwise what to say before hanging up. */
function acceptsInput(s: SurveyTurn, flow: Flow): Flow["ended"] | null {
  const step = isStarted(s.progress) ? s.progress.step : undefined;
  if (s.state === "dialling" || s.state === "in_progress" || s.state === "partial") return null;
  // Completed once the questions are done: the voice message and the thanks still follow.
  if (s.state === "completed" && (step === MESSAGE_STEP || step === END_STEP)) return null;
  if (s.state === "opted_out") return flow.optedOut;
  return flow.ended;
}

/** Returns the TwiML, or undefined when another request changed the survey under us (retry with a fresh read). */
async function step(
  ctx: SurveyCtx,
  log: Logger,
  flow: Flow,
  rc: RenderContext,
  s: SurveyTurn,
  turn: { input: EngineInput; callSid?: string },
) {
  const ending = acceptsInput(s, flow);
  if (ending) {
    log.info("Twilio callback for a survey that is over: ending the call politely", {
      surveyId: s.id,
      state: s.state,
      input: turn.input.kind,
    });
    return renderTwiml(closing(ending), rc);
  }
  const at = ctx.now();
  const r: EngineResult = advance(flow, isStarted(s.progress) ? s.progress : {}, turn.input);
  if (r.effect === "started") {
    const moved = await startSurvey(ctx.prisma, s, {
      progress: r.progress,
      flowVersion: flow.version,
      at,
      callSid: turn.callSid,
    });
    if (!moved) return undefined;
    if (s.state !== "in_progress")
      publishCommitted(ctx, log, {
        type: "survey.state",
        organizationId: s.organizationId,
        surveyId: s.id,
        from: s.state,
        to: "in_progress",
        at: at.toISOString(),
      });
    log.info("survey call answered: flow started", { surveyId: s.id, flowId: flow.id, flowVersion: flow.version });
    return renderTwiml(r.render, rc);
  }
  if (r.effect === "optOut") {
    const out = await optOutByKeypad(ctx.prisma, s, { progress: r.progress, at, callSid: turn.callSid });
    if (out.optedOut)
      publishCommitted(ctx, log, {
        type: "survey.state",
        organizationId: s.organizationId,
        surveyId: s.id,
        from: s.state,
        to: "opted_out",
        at: at.toISOString(),
      });
    log.info("citizen pressed star: number opted out", {
      surveyId: s.id,
      canceledSurveys: out.canceledSurveyIds.length,
      numberHashKnown: out.hashKnown,
    });
    return renderTwiml(r.render, rc);
  }
  if (r.stale) {
    if (r.keypress && s.answeredBy !== "human") await markHuman(ctx.prisma, s.id);
    log.info("stale or replayed Twilio callback: current step rendered again", {
      surveyId: s.id,
      step: isStarted(s.progress) ? s.progress.step : null,
      input: turn.input,
    });
    return renderTwiml(r.render, rc);
  }
  // A concurrent copy of this callback that moved first leaves nothing to store: read again.
  if (!(await storeMove(ctx, log, s.id, flow, s.progress as Progress, r))) return undefined;
  return renderTwiml(r.render, rc);
}

/**
 * A domain event about a change already committed. A listener that throws
 * (real-time results, say) is logged and never changes what the caller hears:
 * the keypress is stored, so the call goes on with the next question.
 */
function publishCommitted(ctx: Pick<AppContext, "events">, log: Logger, event: DomainEvent) {
  try {
    ctx.events.publish(event);
  } catch (err) {
    log.error("a listener of a committed survey event failed; the call goes on", { eventType: event.type, err });
  }
}
