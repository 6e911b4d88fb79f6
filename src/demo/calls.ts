import { gaussian } from "../telephony/simulator/scores.js";
import { DEMO_AGENTS, DEMO_GROUPS, scoreMeansFor, type DemoAgent, type DemoGroup } from "./roster.js";

/**
 * One invented contact with the kundcenter, as the telephony system would
 * report it to the intake API. Pure: a random source and the time in, the
 * call out. Shares: about 4 % of calls end within 10 s (not a real contact),
 * 3 % come from hidden numbers, 4 % are in English.
 */
export interface DemoCall {
  externalCallId: string;
  agent: DemoAgent;
  group: DemoGroup;
  hiddenNumber: boolean;
  queueSeconds: number;
  talkSeconds: number;
  startedAt: Date;
  endedAt: Date;
  language: "sv" | "en";
  /** Target mean per question for this citizen (group, agent and wait folded in). */
  scoreMeans: Record<string, number>;
}

function pickGroup(rnd: () => number): DemoGroup {
  let r = rnd();
  for (const g of DEMO_GROUPS) if ((r -= g.share) < 0) return g;
  return DEMO_GROUPS[0];
}

function pickAgent(rnd: () => number, group: DemoGroup): DemoAgent {
  const own = DEMO_AGENTS.filter((a) => a.group === group.key);
  // "Ej val" calls go to whoever is free; otherwise mostly the group's own agents.
  const pool = own.length && rnd() < 0.85 ? own : DEMO_AGENTS;
  return pool[Math.floor(rnd() * pool.length)];
}

/** A wait with the group's mean: gamma(2) — most waits short, a long tail. */
function queueSeconds(rnd: () => number, mean: number): number {
  const e = () => -Math.log(Math.max(rnd(), 1e-12));
  return Math.round(((e() + e()) / 2) * mean);
}

function talkSeconds(rnd: () => number): number {
  if (rnd() < 0.04) return 2 + Math.floor(rnd() * 8); // dropped or misdialled: under 10 s
  return Math.round(Math.min(1800, Math.max(15, Math.exp(Math.log(170) + 0.6 * gaussian(rnd)))));
}

/**
 * `reportedAt` is when the telephony system reports the call: 30–50 s after it
 * ended, like a call-log export, which also brings the survey (due a minute
 * after the call) within seconds of the report in the demo.
 */
export function planDemoCall(rnd: () => number, reportedAt: Date, seq: number): DemoCall {
  const group = pickGroup(rnd);
  const agent = pickAgent(rnd, group);
  const queue = queueSeconds(rnd, group.queueMeanSeconds);
  const talk = talkSeconds(rnd);
  const endedAt = new Date(reportedAt.getTime() - Math.round((30 + rnd() * 20) * 1000));
  const startedAt = new Date(endedAt.getTime() - (queue + talk) * 1000);
  return {
    externalCallId: `demo-${reportedAt.getTime().toString(36)}-${seq}`,
    agent,
    group,
    hiddenNumber: rnd() < 0.03,
    queueSeconds: queue,
    talkSeconds: talk,
    startedAt,
    endedAt,
    language: rnd() < 0.04 ? "en" : "sv",
    scoreMeans: scoreMeansFor(group, agent.effect, queue),
  };
}

/** The intake API body for a call (POST /api/v1/calls/completed). */
export function intakePayload(call: DemoCall, callerNumber: string | null) {
  return {
    externalCallId: call.externalCallId,
    callerNumber: call.hiddenNumber ? "anonymous" : callerNumber,
    agent: { externalId: call.agent.externalId, name: call.agent.name },
    group: { key: call.group.key, name: call.group.name },
    startedAt: call.startedAt.toISOString(),
    endedAt: call.endedAt.toISOString(),
    queueSeconds: call.queueSeconds,
    language: call.language,
  };
}
