import type { Logger } from "../../lib/logger.js";
import { maskPhone } from "../../lib/logger.js";
import type { Persona } from "./personas.js";
import { API_VERSION, rfc2822, type CallStatus, type SimCall, type SimRecording } from "./store.js";
import { sendWebhook, type Params } from "./webhook-client.js";

export interface CallSummary {
  callSid: string;
  to: string;
  status: CallStatus;
  answeredBy: string | null;
  /** Simulated seconds from answer to hang-up. */
  durationSeconds: number;
  /** Keys pressed per question key (from the Gather action URL's `step`), in order. */
  answers: { questionKey: string; digits: string }[];
  recording: { sid: string; durationSeconds: number } | null;
  /** Who ended the call. */
  endedBy: "citizen" | "application" | "api" | "time-limit" | "network";
}

export interface VirtualCallDeps {
  authToken: string;
  /** Real seconds per simulated second (0 = as fast as possible). */
  timeScale: number;
  logger: Logger;
  /** The simulator's own base URL, for RecordingUrl. */
  apiBase(): string;
  saveRecording(r: SimRecording): void;
}

/** Thrown out of a sleep when the call must stop what it is doing. */
export class Interrupted extends Error {}

type Interrupt =
  | { kind: "hangup"; status: CallStatus; endedBy: CallSummary["endedBy"] }
  | { kind: "redirect"; url: string; method: "GET" | "POST" };

/**
 * One outbound call's shared state: simulated clock, interrupts from the REST
 * API (hang-up, redirect), and the ordered queue of asynchronous callbacks.
 * Callbacks go out one at a time per call, in the order Twilio documents them,
 * without holding up the call flow (Twilio sends them asynchronously too).
 */
export class VirtualCall {
  interrupt: Interrupt | null = null;
  /** Simulated seconds since the call was created. */
  simClock = 0;
  answeredAtSim: number | null = null;
  answers: CallSummary["answers"] = [];
  recording: CallSummary["recording"] = null;
  /** Synchronous AMD's result, sent with the first TwiML request only. */
  syncAnsweredBy: string | null = null;
  readonly log: Logger;
  private wake: () => void = () => {};
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly call: SimCall,
    readonly persona: Persona,
    readonly deps: VirtualCallDeps,
  ) {
    this.log = deps.logger.child({ callSid: call.sid, to: maskPhone(call.to) });
  }

  /** Passes simulated time; wakes early (and throws) on a REST hang-up or redirect, or at the time limit. */
  async sleep(simSeconds: number): Promise<void> {
    this.checkInterrupt();
    const seconds = Math.max(0, simSeconds);
    const started = Date.now();
    const ms = seconds * this.deps.timeScale * 1000;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wake = () => {};
    const realFraction = ms > 0 ? Math.min(1, (Date.now() - started) / ms) : 1;
    this.simClock += this.interrupt ? seconds * realFraction : seconds;
    this.checkInterrupt();
  }

  private checkInterrupt() {
    if (!this.interrupt && this.answeredAtSim !== null && this.simClock - this.answeredAtSim >= this.call.timeLimit) {
      this.interrupt = { kind: "hangup", status: "completed", endedBy: "time-limit" };
    }
    if (this.interrupt) throw new Interrupted();
  }

  /** How often this question was asked before (re-asks after silence or a wrong key). */
  askedCount(questionKey: string): number {
    return this.answers.filter((a) => a.questionKey === questionKey).length;
  }

  /** The question's position among the distinct questions asked so far, in order (greetings and other gathers not counted). */
  questionIndex(questionKey: string, counts: (key: string) => boolean): number {
    const keys = [...new Set(this.answers.map((a) => a.questionKey))].filter(counts);
    const i = keys.indexOf(questionKey);
    return i === -1 ? keys.length : i;
  }

  requestInterrupt(i: Interrupt) {
    if (this.interrupt?.kind === "hangup") return;
    this.interrupt = i;
    this.wake();
  }

  /** The parameters Twilio sends with every voice request (https://www.twilio.com/docs/voice/twiml#request-parameters). */
  baseParams(): Params {
    const c = this.call;
    return {
      AccountSid: c.accountSid,
      ApiVersion: API_VERSION,
      CallSid: c.sid,
      CallStatus: c.status,
      Called: c.to,
      Caller: c.from,
      Direction: "outbound-api",
      From: c.from,
      To: c.to,
    };
  }

  /**
   * A call-progress event (https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent):
   * sent only for subscribed events, numbered from 0 in send order, with
   * CallbackSource and an RFC 2822 Timestamp.
   */
  statusEvent(event: "initiated" | "ringing" | "answered" | "completed", callStatus: string, extra: Params = {}) {
    const c = this.call;
    if (!c.statusCallback || !c.statusCallbackEvents.has(event)) return;
    const params: Params = {
      ...this.baseParams(),
      CallStatus: callStatus,
      CallbackSource: "call-progress-events",
      Timestamp: rfc2822(new Date())!,
      SequenceNumber: String(c.sequence++),
      ...extra,
    };
    this.enqueue("status callback", c.statusCallback, c.statusCallbackMethod, params);
  }

  /** Queues an asynchronous callback behind the ones before it; failures are logged, as Twilio only records them. */
  enqueue(what: string, url: string, method: "GET" | "POST", params: Params) {
    this.chain = this.chain.then(async () => {
      try {
        const res = await sendWebhook(this.deps.authToken, url, method, params);
        const level = res.status >= 300 ? "warn" : "debug";
        this.log.log(level, `simulator ${what}`, {
          url,
          status: res.status,
          event: params.CallStatus ?? params.RecordingStatus ?? params.AnsweredBy,
        });
      } catch (err) {
        this.log.warn(`simulator ${what} failed (Twilio would report error 11200)`, {
          url,
          err: (err as Error).message,
        });
      }
    });
  }

  /** Resolves when every queued callback has been sent. */
  drained(): Promise<void> {
    return this.chain;
  }
}
