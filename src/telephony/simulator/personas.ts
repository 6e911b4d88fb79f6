import { cutToScore, gaussian, ITEM_SD, latentForMean, MOOD_SD } from "./scores.js";
import { mulberry32 } from "./wav.js";

/**
 * Virtual citizens. A persona is plain data drawn from a seed, so the same
 * seed always behaves the same (tests, reproducible demos); `gatherReply`
 * and `plannedScore` are pure. The shares below are the demo's picture of a
 * municipal contact centre's survey calls: most answer, some never pick up,
 * a few are busy, some reach voicemail, a few hang up or opt out.
 */

/** Population means per question key (the flow's keys). Unknown keys use DEFAULT_MEAN. */
export const QUESTION_MEANS: Readonly<Record<string, number>> = {
  svarstid: 3.9,
  bemotande: 4.5,
  engagemang: 4.45,
  kunskap: 4.35,
  fick_hjalp: 4.25,
  helhet: 4.3,
  rekommendera: 4.3,
};
export const DEFAULT_MEAN = 4.3;

export type Pickup = "answer" | "no-answer" | "busy" | "failed";
/** What answering-machine detection concludes; mapped to Twilio's AnsweredBy values by the call runner. */
export type AmdVerdict = "human" | "machine" | "fax" | "unknown";

export interface Persona {
  seed: number;
  pickup: Pickup;
  /** Seconds the phone rings before it is answered. */
  ringSeconds: number;
  /** An answering machine (voicemail) picks up: it never presses a key. */
  machine: boolean;
  amd: { verdict: AmdVerdict; seconds: number };
  /** Presses the key while the question is still being read. */
  bargeIn: boolean;
  /** Seconds after a prompt before pressing (when not barging in). */
  thinkSeconds: number;
  /** Target mean per question key for this citizen's call (agent and group tendencies folded in). */
  scoreMeans: Record<string, number>;
  /** Question index (0-based, in the order asked) at which they press star; null = never. */
  optOutAt: number | null;
  /** Question index during which they hang up; null = never. */
  hangUpAt: number | null;
  /** Question indexes where they stay silent the first time. */
  silentAt: number[];
  /** Question indexes where they press an out-of-range key the first time. */
  invalidAt: number[];
  /** Voice message at <Record>: 0 seconds = says nothing; ended with # or by hanging up. */
  message: { seconds: number; end: "#" | "hangup" };
}

export type PersonaOverrides = Partial<Omit<Persona, "scoreMeans">> & { scoreMeans?: Record<string, number> };

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const pick = <T>(rnd: () => number, table: [number, T][]): T => {
  let r = rnd();
  for (const [p, v] of table) if ((r -= p) < 0) return v;
  return table[table.length - 1][1];
};

export function createPersona(seed: number, overrides: PersonaOverrides = {}): Persona {
  const rnd = mulberry32(seed);
  const pickup = pick<Pickup>(rnd, [
    [0.8, "answer"],
    [0.13, "no-answer"],
    [0.05, "busy"],
    [0.02, "failed"],
  ]);
  const machine = rnd() < 0.08;
  const verdict: AmdVerdict = machine
    ? pick(rnd, [
        [0.9, "machine"],
        [0.1, "unknown"],
      ])
    : pick(rnd, [
        [0.94, "human"],
        [0.04, "unknown"],
        [0.02, "machine"],
      ]);
  const hangs = rnd() < 0.06;
  const optsOut = !hangs && rnd() < 0.03;
  const leaves = rnd() < 0.3;
  const persona: Persona = {
    seed,
    pickup,
    ringSeconds: Math.round((3 + rnd() * 14) * 10) / 10,
    machine,
    amd: { verdict, seconds: Math.round((machine ? 3 + rnd() * 2 : 1.5 + rnd() * 2) * 10) / 10 },
    bargeIn: rnd() < 0.4,
    thinkSeconds: Math.round((0.8 + rnd() * 2) * 10) / 10,
    scoreMeans: { ...QUESTION_MEANS },
    optOutAt: optsOut ? Math.floor(rnd() * 2) : null,
    hangUpAt: hangs ? 1 + Math.floor(rnd() * 6) : null,
    silentAt: rnd() < 0.12 ? [Math.floor(rnd() * 7)] : [],
    invalidAt: rnd() < 0.06 ? [Math.floor(rnd() * 7)] : [],
    message: leaves
      ? // One in ten says only "hm" (a 1 s recording the service discards as empty).
        { seconds: rnd() < 0.1 ? 1 : Math.round(4 + rnd() ** 2 * 60), end: rnd() < 0.8 ? "#" : "hangup" }
      : { seconds: 0, end: rnd() < 0.3 ? "hangup" : "#" },
  };
  return { ...persona, ...overrides, scoreMeans: { ...persona.scoreMeans, ...overrides.scoreMeans } };
}

/** A citizen nobody registered: derived from the number, so a number always behaves the same. */
export function personaForNumber(number: string): Persona {
  return createPersona(hashString(number));
}

/** The score this citizen gives for a question key (same persona, same key, same score). */
export function plannedScore(p: Persona, questionKey: string): number {
  const mood = gaussian(mulberry32(p.seed ^ 0x9e3779b9)) * MOOD_SD;
  const item = gaussian(mulberry32(p.seed ^ hashString(questionKey))) * ITEM_SD;
  const mean = p.scoreMeans[questionKey] ?? DEFAULT_MEAN;
  return cutToScore(latentForMean(mean) + mood + item);
}

/** The persona's question keys (the flow's seven by default), or q0, q1… when the action URL names no step. */
export const isQuestion = (p: Persona, questionKey: string) =>
  questionKey in p.scoreMeans || /^q\d+$/.test(questionKey);

export type GatherReply =
  { kind: "press"; keys: string; bargeIn: boolean; thinkSeconds: number } | { kind: "silent" } | { kind: "hangup" };

/**
 * What the citizen does at a keypad question: `index` is the question's
 * position among distinct questions asked, `attempt` how often this one was
 * asked before (a re-ask after silence or a wrong key).
 */
export function gatherReply(p: Persona, questionKey: string, index: number, attempt: number): GatherReply {
  if (p.machine) return { kind: "silent" };
  // A Gather that is not a scored question (a greeting that listens for star, say)
  // is heard out in silence, as a citizen waits for the first question.
  if (!isQuestion(p, questionKey)) return { kind: "silent" };
  if (p.hangUpAt === index && attempt === 0) return { kind: "hangup" };
  const timing = { bargeIn: p.bargeIn && attempt === 0, thinkSeconds: p.thinkSeconds };
  if (p.optOutAt === index) return { kind: "press", keys: "*", ...timing };
  if (attempt === 0 && p.silentAt.includes(index)) return { kind: "silent" };
  if (attempt === 0 && p.invalidAt.includes(index)) return { kind: "press", keys: p.seed % 2 ? "9" : "0", ...timing };
  return { kind: "press", keys: String(plannedScore(p, questionKey)), ...timing };
}
