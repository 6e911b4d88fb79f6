import type { Logger } from "../../lib/logger.js";
import { CitizenHungUp, runTwiml } from "./interpreter.js";
import { personaForNumber, type AmdVerdict, type Persona } from "./personas.js";
import { voiceTextFor, VoiceTextRegistry } from "./voice-texts.js";
import { BoundedMap, FINAL_STATUSES, rfc2822, type CallStatus, type SimCall, type SimRecording } from "./store.js";
import { Interrupted, VirtualCall, type CallSummary } from "./virtual-call.js";

export interface EngineOptions {
  accountSid: string;
  authToken: string;
  timeScale: number;
  logger: Logger;
  apiBase(): string;
}

/**
 * The simulated account: the calls and recordings the REST API shows, the
 * citizen registry, and the life of each call (dialling, ringing, answer,
 * detection, TwiML, hang-up) with its status callbacks
 * (https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent).
 */
export class SimulatorEngine {
  readonly calls = new BoundedMap<SimCall>(10_000);
  /** Undeleted recordings; the oldest are dropped past the cap (an always-on demo must not grow without bound). */
  readonly recordings = new BoundedMap<SimRecording>(500);
  /** What each recording says, for the simulated transcription server. */
  readonly voiceTexts = new VoiceTextRegistry();
  private readonly citizens = new Map<string, Persona>();
  private readonly running = new Map<string, { vc: VirtualCall; done: Promise<void> }>();
  private readonly listeners: ((s: CallSummary) => void)[] = [];
  private stopped = false;

  constructor(readonly opts: EngineOptions) {}

  registerCitizen(number: string, persona: Persona) {
    this.citizens.set(number, persona);
  }

  personaFor(number: string): Persona {
    return this.citizens.get(number) ?? personaForNumber(number);
  }

  onCallEnded(listener: (s: CallSummary) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** Starts the virtual citizen's side of a created call (asynchronously). */
  start(call: SimCall) {
    this.calls.set(call.sid, call);
    const vc = new VirtualCall(call, this.personaFor(call.to), {
      authToken: this.opts.authToken,
      timeScale: this.opts.timeScale,
      logger: this.opts.logger,
      apiBase: this.opts.apiBase,
      saveRecording: (r) => {
        this.recordings.set(r.sid, r);
        this.voiceTexts.remember(r, voiceTextFor(vc.persona).text);
      },
    });
    const done = this.lifecycle(vc).finally(() => this.running.delete(call.sid));
    this.running.set(call.sid, { vc, done });
  }

  /** REST `Status=completed|canceled` (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource). */
  hangUp(call: SimCall, status: "completed" | "canceled") {
    const vc = this.running.get(call.sid)?.vc;
    if (!vc || FINAL_STATUSES.has(call.status)) return;
    const answered = call.status === "in-progress";
    // `canceled` only affects queued or ringing calls; `completed` ends any call.
    if (status === "canceled" && answered) return;
    vc.requestInterrupt({ kind: "hangup", status: answered ? "completed" : "canceled", endedBy: "api" });
  }

  redirect(call: SimCall, url: string, method: "GET" | "POST"): boolean {
    const vc = this.running.get(call.sid)?.vc;
    if (!vc || call.status !== "in-progress") return false;
    vc.requestInterrupt({ kind: "redirect", url, method });
    return true;
  }

  /** Resolves when the call has ended and its callbacks are sent. */
  async waitForCall(sid: string): Promise<void> {
    await this.running.get(sid)?.done;
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async stop() {
    this.stopped = true;
    for (const { vc } of this.running.values())
      vc.requestInterrupt({ kind: "hangup", status: "completed", endedBy: "network" });
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 2_000).unref())]);
  }

  private setStatus(call: SimCall, status: CallStatus) {
    call.status = status;
    call.dateUpdated = new Date();
  }

  private async lifecycle(vc: VirtualCall): Promise<void> {
    const { call, persona } = vc;
    let final: CallStatus = "completed";
    let endedBy: CallSummary["endedBy"] = "application";
    const extra: Record<string, string> = {};
    try {
      // Leaves Twilio's outbound queue: at the default 1 call per second the
      // initiated event comes about a second after the API answered.
      await vc.sleep(1);
      vc.statusEvent("initiated", "initiated");
      if (persona.pickup === "failed" || persona.pickup === "busy") {
        await vc.sleep(1.5);
        final = persona.pickup;
        extra.SipResponseCode = persona.pickup === "busy" ? "486" : "404";
        return;
      }
      this.setStatus(call, "ringing");
      vc.statusEvent("ringing", "ringing");
      if (persona.pickup === "no-answer" || persona.ringSeconds >= call.timeout) {
        await vc.sleep(call.timeout);
        final = "no-answer";
        extra.SipResponseCode = "487";
        return;
      }
      await vc.sleep(persona.ringSeconds);
      call.startTime = new Date();
      vc.answeredAtSim = vc.simClock;
      this.setStatus(call, "in-progress");
      vc.statusEvent("answered", "in-progress");
      await this.detectMachine(vc);
      let target = { url: call.url, method: call.method };
      for (;;) {
        try {
          await runTwiml(vc, target.url, target.method);
          break;
        } catch (err) {
          const i = vc.interrupt;
          if (!(err instanceof Interrupted) || i?.kind !== "redirect") throw err;
          vc.interrupt = null;
          target = { url: i.url, method: i.method };
        }
      }
    } catch (err) {
      if (err instanceof CitizenHungUp) endedBy = "citizen";
      else if (err instanceof Interrupted && vc.interrupt?.kind === "hangup") {
        final = vc.interrupt.status;
        endedBy = vc.interrupt.endedBy;
      } else {
        endedBy = "network";
        final = call.status === "in-progress" ? "completed" : "failed";
        vc.log.warn("simulator: call ended by an error", { err: (err as Error).message });
      }
    } finally {
      await this.finish(vc, final, endedBy, extra);
    }
  }

  /**
   * Answering-machine detection (https://www.twilio.com/docs/voice/answering-machine-detection):
   * asynchronous AMD runs beside the TwiML and posts AnsweredBy and
   * MachineDetectionDuration (ms) to asyncAmdStatusCallback; synchronous AMD
   * holds the call until it knows and puts AnsweredBy in the first TwiML request.
   * `Enable` reports machine_start; `DetectMessageEnd` waits for the greeting's end.
   */
  private async detectMachine(vc: VirtualCall) {
    const { call, persona } = vc;
    const mode = call.machineDetection;
    if (mode !== "Enable" && mode !== "DetectMessageEnd") return;
    const waitsForBeep = mode === "DetectMessageEnd" && persona.amd.verdict === "machine";
    const seconds = persona.amd.seconds + (waitsForBeep ? 8 : 0);
    const answeredBy = answeredByValue(persona.amd.verdict, mode);
    const report = () => {
      if (FINAL_STATUSES.has(call.status)) return;
      call.answeredBy = answeredBy;
      if (call.asyncAmd && call.asyncAmdStatusCallback) {
        vc.enqueue("AMD callback", call.asyncAmdStatusCallback, call.asyncAmdStatusCallbackMethod, {
          AccountSid: call.accountSid,
          CallSid: call.sid,
          AnsweredBy: answeredBy,
          MachineDetectionDuration: String(Math.round(seconds * 1000)),
        });
      }
    };
    if (call.asyncAmd) setTimeout(report, seconds * this.opts.timeScale * 1000);
    else {
      await vc.sleep(seconds);
      report();
      vc.syncAnsweredBy = answeredBy;
    }
  }

  private async finish(
    vc: VirtualCall,
    status: CallStatus,
    endedBy: CallSummary["endedBy"],
    extra: Record<string, string>,
  ) {
    const { call } = vc;
    const durationSeconds = vc.answeredAtSim === null ? 0 : Math.round(vc.simClock - vc.answeredAtSim);
    call.endTime = new Date();
    call.duration = durationSeconds;
    this.setStatus(call, status);
    vc.statusEvent("completed", status, {
      CallDuration: String(durationSeconds),
      // Billed minutes, as seen in Twilio's completed callbacks next to CallDuration.
      Duration: String(Math.ceil(durationSeconds / 60)),
      ...extra,
    });
    await vc.drained();
    const summary: CallSummary = {
      callSid: call.sid,
      to: call.to,
      status,
      answeredBy: call.answeredBy ?? null,
      durationSeconds,
      answers: vc.answers,
      recording: vc.recording,
      endedBy,
    };
    vc.log.debug("simulator: call ended", { status, endedBy, durationSeconds, endTime: rfc2822(call.endTime) });
    if (this.stopped) return;
    for (const l of [...this.listeners]) {
      try {
        l(summary);
      } catch (err) {
        vc.log.warn("simulator: call-ended listener failed", { err });
      }
    }
  }
}

function answeredByValue(verdict: AmdVerdict, mode: string): string {
  if (verdict === "machine") return mode === "DetectMessageEnd" ? "machine_end_beep" : "machine_start";
  return verdict;
}
