import type { Flow, Prompt } from "./flow-schema.js";

/**
 * The survey flow as a pure state machine: flow + progress + input in, next
 * progress + what to store + what to say out. No I/O, so every rule (re-ask
 * once, move on unanswered, star opts out, stale callbacks) is unit-tested
 * without a database, and the webhooks only persist and render its decisions.
 */

/** SurveyCall.progress. `step` is a question key, "message" or "end"; `try` counts re-asks. Empty = not started. */
export interface Progress {
  step: string;
  try: number;
}

export type EngineInput =
  | { kind: "start" }
  | { kind: "digits"; step: string; try: number; digits: string }
  /** The <Redirect> after a <Gather> or <Record> ran: silence, or an empty recording. */
  | { kind: "no-input"; step: string; try: number }
  /** The <Record> action: a message was recorded (or the caller hung up while recording). */
  | { kind: "recorded"; step: string; try: number };

/** What the webhook renders, independent of URLs and of twilio-node. */
export type TwimlNode =
  | { kind: "prompt"; prompt: Prompt }
  | { kind: "gather"; step: string; try: number; timeoutSeconds: number; prompts: Prompt[] }
  | { kind: "record"; step: string; try: number; maxLengthSeconds: number; silenceTimeoutSeconds: number }
  | { kind: "redirect"; step: string; try: number }
  | { kind: "hangup" };

export interface EngineResult {
  progress: Progress;
  /** The input did not belong to the current step (a retry, a replay, a late callback): nothing changes. */
  stale: boolean;
  answer?: { questionKey: string; score: number };
  /**
   * started: the first TwiML of the call. questionsDone: every question has been
   * asked (the survey is complete; the voice message is optional). optOut: star.
   */
  effect: "none" | "started" | "questionsDone" | "optOut";
  /** A key was pressed: proof of a human, whatever answering-machine detection said. */
  keypress: boolean;
  render: TwimlNode[];
}

export const INTRO_STEP = "intro";
export const MESSAGE_STEP = "message";
export const END_STEP = "end";
/** A question is asked at most twice: once, then once more after a wrong key or silence. */
const MAX_TRY = 1;
/** The greeting's own gather only listens for star; it must not hold the call up. */
const INTRO_TIMEOUT_SECONDS = 1;

export function isStarted(progress: unknown): progress is Progress {
  const p = progress as Partial<Progress> | null;
  return typeof p?.step === "string" && typeof p.try === "number";
}

export function closing(prompts: Prompt[]): TwimlNode[] {
  return [...prompts.map((prompt): TwimlNode => ({ kind: "prompt", prompt })), { kind: "hangup" }];
}

function stepAfter(flow: Flow, step: string): string {
  const i = flow.questions.findIndex((q) => q.key === step);
  if (i >= 0 && i + 1 < flow.questions.length) return flow.questions[i + 1].key;
  return i >= 0 && flow.message ? MESSAGE_STEP : END_STEP;
}

/** The TwiML for being at `progress`, optionally prefaced (e.g. "that was not a valid answer"). */
export function renderStep(flow: Flow, progress: Progress, preface: Prompt[] = []): TwimlNode[] {
  const { step, try: t } = progress;
  if (step === MESSAGE_STEP && flow.message) {
    const m = flow.message;
    return [
      // Star must work here too, so the explanation sits in a short gather.
      { kind: "gather", step, try: t, timeoutSeconds: INTRO_TIMEOUT_SECONDS, prompts: [...preface, ...m.prompt] },
      {
        kind: "record",
        step,
        try: t,
        maxLengthSeconds: m.maxLengthSeconds,
        silenceTimeoutSeconds: m.silenceTimeoutSeconds,
      },
      // Twilio skips the action on an empty recording and runs the next verb.
      { kind: "redirect", step, try: t },
    ];
  }
  const question = flow.questions.find((q) => q.key === step);
  if (!question) return closing(flow.thanks);
  return [
    {
      kind: "gather",
      step,
      try: t,
      timeoutSeconds: flow.gatherTimeoutSeconds,
      prompts: [...preface, ...question.prompt],
    },
    // Twilio does not call the gather action on silence (actionOnEmptyResult=false): this does.
    { kind: "redirect", step, try: t },
  ];
}

function moveTo(flow: Flow, from: string, answer?: EngineResult["answer"], keypress = false): EngineResult {
  const next = stepAfter(flow, from);
  const progress = { step: next, try: 0 };
  const fromQuestion = from !== MESSAGE_STEP;
  return {
    progress,
    stale: false,
    answer,
    effect: fromQuestion && (next === MESSAGE_STEP || next === END_STEP) ? "questionsDone" : "none",
    keypress,
    render: renderStep(flow, progress),
  };
}

export function advance(flow: Flow, current: Progress | Record<string, never>, input: EngineInput): EngineResult {
  const keypress = input.kind === "digits" && input.digits.length > 0;
  if (!isStarted(current)) {
    const first = { step: flow.questions[0].key, try: 0 };
    return {
      progress: first,
      stale: false,
      effect: "started",
      keypress,
      render: [
        { kind: "gather", step: INTRO_STEP, try: 0, timeoutSeconds: INTRO_TIMEOUT_SECONDS, prompts: flow.greeting },
        ...renderStep(flow, first),
      ],
    };
  }
  // Star opts out at any point, even on a stale step: the intention is unambiguous.
  if (input.kind === "digits" && input.digits.includes("*")) {
    return {
      progress: { step: END_STEP, try: 0 },
      stale: false,
      effect: "optOut",
      keypress,
      render: closing(flow.optedOut),
    };
  }
  const same = input.kind !== "start" && input.step === current.step && input.try === current.try;
  if (!same || current.step === END_STEP) {
    return { progress: current, stale: true, effect: "none", keypress, render: renderStep(flow, current) };
  }
  const retryOr = (preface: Prompt[]): EngineResult =>
    current.try < MAX_TRY
      ? {
          progress: { step: current.step, try: current.try + 1 },
          stale: false,
          effect: "none",
          keypress,
          render: renderStep(flow, { step: current.step, try: current.try + 1 }, preface),
        }
      : moveTo(flow, current.step, undefined, keypress);

  if (current.step === MESSAGE_STEP) {
    if (input.kind === "digits" && current.try < MAX_TRY) {
      // A key during the explanation: skip it and go straight to the beep.
      const progress = { step: MESSAGE_STEP, try: current.try + 1 };
      return {
        progress,
        stale: false,
        effect: "none",
        keypress,
        render: renderStep(flow, progress).filter((n) => n.kind !== "gather"),
      };
    }
    return moveTo(flow, MESSAGE_STEP, undefined, keypress);
  }
  if (input.kind === "digits") {
    const score = Number(input.digits);
    if (/^\d$/.test(input.digits) && score >= flow.scale.min && score <= flow.scale.max) {
      return moveTo(flow, current.step, { questionKey: current.step, score }, true);
    }
    return retryOr(flow.invalidInput);
  }
  if (input.kind === "no-input") return retryOr(flow.noInput);
  // A record action on a question step cannot come from our TwiML: treat as stale.
  return { progress: current, stale: true, effect: "none", keypress, render: renderStep(flow, current) };
}
