import { maskPhone, type Logger } from "../lib/logger.js";
import { createPersona, type CallSummary, type Persona } from "../telephony/simulator/index.js";
import { mulberry32 } from "../telephony/simulator/wav.js";
import { intakePayload, planDemoCall, type DemoCall } from "./calls.js";
import { pickFictionNumber } from "./numbers.js";
import { DemoStats } from "./stats.js";

/**
 * Demo traffic: invented completed calls posted through the public intake API
 * (exactly what a telephony integration does), each caller registered with
 * the simulator so the survey call meets a citizen with the right tendencies.
 * When a survey call ends, the survey is read back through the same API and
 * logged with its scores: the log shows what the service really stored.
 */
export interface DemoTrafficOptions {
  /** Where the service listens (its own local URL). */
  serviceUrl: string;
  apiKey: string;
  callsPerMinute: number;
  logger: Logger;
  simulator?: {
    registerCitizen(number: string, persona: Persona): void;
    onCallEnded(listener: (s: CallSummary) => void): () => void;
  };
  seed?: number;
  summaryEveryMs?: number;
  firstCallAfterMs?: number;
  /** Wait after a survey call ends before reading the survey back (callbacks are being processed). */
  readBackAfterMs?: number;
}

export interface DemoTraffic {
  stats: DemoStats;
  stop(): Promise<void>;
}

const FINAL_SURVEY_STATES = new Set([
  "completed",
  "partial",
  "no_answer",
  "machine",
  "failed",
  "opted_out",
  "expired",
  "canceled",
]);
/** A number whose survey never reports back is released after this long. */
const RESERVATION_MS = 30 * 60_000;

export function startDemoTraffic(opts: DemoTrafficOptions): DemoTraffic {
  const log = opts.logger.child({ component: "demo-traffic" });
  const rnd = mulberry32(opts.seed ?? Date.now() % 2 ** 31);
  const stats = new DemoStats();
  const reserved = new Map<string, { call: DemoCall; at: number }>();
  const inFlight = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let seq = 0;

  const later = (ms: number, fn: () => unknown) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) track(Promise.resolve().then(fn));
    }, ms);
    timers.add(t);
  };
  const track = (p: Promise<unknown>) => {
    const q = p.catch((err) => log.warn("demo traffic step failed", { err: (err as Error).message }));
    inFlight.add(q);
    void q.finally(() => inFlight.delete(q));
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${opts.serviceUrl}/api/v1${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${opts.apiKey}`, "Content-Type": "application/json", ...init.headers },
      signal: AbortSignal.timeout(10_000),
    });

  function nextCall(): { call: DemoCall; number: string | null } | null {
    const call = planDemoCall(rnd, new Date(), seq++);
    if (call.hiddenNumber) return { call, number: null };
    const number = pickFictionNumber(rnd, (n) => !reserved.has(n));
    if (!number) {
      stats.poolExhausted++;
      return null;
    }
    reserved.set(number, { call, at: Date.now() });
    opts.simulator?.registerCitizen(
      number,
      createPersona(Math.floor(rnd() * 2 ** 31), { scoreMeans: call.scoreMeans }),
    );
    return { call, number };
  }

  async function post(count: number) {
    const planned = Array.from({ length: count }, nextCall).filter((c) => c !== null);
    if (!planned.length) return;
    const bodies = planned.map((p) => intakePayload(p.call, p.number));
    const res = await api("/calls/completed", {
      method: "POST",
      body: JSON.stringify(bodies.length === 1 ? bodies[0] : { calls: bodies }),
    });
    const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) {
      stats.postErrors++;
      planned.forEach((p) => p.number && reserved.delete(p.number));
      log.warn("demo traffic: intake refused the calls", { status: res.status, error: json?.error });
      return;
    }
    const results = (bodies.length === 1 ? [json] : ((json?.results as unknown[]) ?? [])) as {
      decision?: string;
      reason?: string | null;
      dueAt?: string | null;
    }[];
    planned.forEach((p, i) => {
      const r = results[i];
      stats.recordDecision(r?.decision, r?.reason);
      if (r?.decision !== "scheduled" && p.number) reserved.delete(p.number);
      log.debug("demo call posted", {
        externalCallId: p.call.externalCallId,
        group: p.call.group.key,
        agent: p.call.agent.externalId,
        caller: maskPhone(p.number),
        decision: r?.decision,
        reason: r?.reason,
        dueAt: r?.dueAt,
      });
    });
    if (stats.posted === planned.length)
      log.info("demo traffic: first calls posted to the intake API; survey calls follow within about half a minute", {
        calls: planned.length,
      });
  }

  async function readBack(summary: CallSummary, attempt: number) {
    const entry = reserved.get(summary.to);
    if (!entry) return;
    const res = await api(`/calls/${encodeURIComponent(entry.call.externalCallId)}`);
    if (!res.ok) {
      log.warn("demo traffic: could not read the survey back", {
        status: res.status,
        externalCallId: entry.call.externalCallId,
      });
      return;
    }
    const body = (await res.json()) as {
      survey?: {
        state: string;
        attempts: number;
        answers: { questionKey: string; score: number }[];
        voiceMessage: { durationSeconds: number } | null;
      } | null;
    };
    const survey = body.survey;
    if (!survey || (!FINAL_SURVEY_STATES.has(survey.state) && survey.state !== "scheduled")) {
      // The service is still processing the last callbacks.
      if (attempt < 3) later(1_000 * attempt, () => readBack(summary, attempt + 1));
      return;
    }
    const fields = {
      caller: maskPhone(summary.to),
      group: entry.call.group.key,
      agent: entry.call.agent.name,
      state: survey.state,
      callStatus: summary.status,
      attempts: survey.attempts,
      scores: Object.fromEntries(survey.answers.map((a) => [a.questionKey, a.score])),
      voiceMessageSeconds: survey.voiceMessage?.durationSeconds ?? null,
    };
    if (survey.state === "scheduled") {
      // Per call at debug: a person reads the once-a-minute summary, not a line a call.
      log.debug("demo survey call not answered; the service retries later", fields);
      return;
    }
    reserved.delete(summary.to);
    stats.recordSurvey(survey.state, survey.answers, survey.voiceMessage !== null);
    log.debug("demo survey finished", fields);
  }

  const unsubscribe = opts.simulator?.onCallEnded((s) => {
    stats.recordCall(s.status);
    later(opts.readBackAfterMs ?? 1_500, () => readBack(s, 1));
  });

  const cpm = opts.callsPerMinute;
  const schedule = () => {
    if (stopped || cpm <= 0) return;
    if (cpm <= 60) {
      // Poisson arrivals: exponential gaps around the mean rate.
      later(-Math.log(Math.max(rnd(), 1e-9)) * (60_000 / cpm), () => (schedule(), post(1)));
    } else {
      later(1_000, () => (schedule(), post(poisson(rnd, cpm / 60))));
    }
  };
  later(opts.firstCallAfterMs ?? 1_500, () => (schedule(), post(1)));

  const summaryTimer = setInterval(() => {
    for (const [n, r] of reserved) if (Date.now() - r.at > RESERVATION_MS) reserved.delete(n);
    log.info("demo traffic summary", stats.summary());
  }, opts.summaryEveryMs ?? 60_000);
  summaryTimer.unref();
  log.info("demo traffic on", { callsPerMinute: cpm, intake: `${opts.serviceUrl}/api/v1/calls/completed` });

  return {
    stats,
    async stop() {
      stopped = true;
      unsubscribe?.();
      clearInterval(summaryTimer);
      for (const t of timers) clearTimeout(t);
      await Promise.race([Promise.all([...inFlight]), new Promise((r) => setTimeout(r, 3_000).unref())]);
    },
  };
}

function poisson(rnd: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * (rnd() + rnd() + rnd() - 1.5) * 2));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > l);
  return k - 1;
}
