import { createHash } from "node:crypto";
import type { OrgSettings } from "../organizations/settings.js";
import { nextCallingTime } from "./calling-window.js";
import type { ClassifiedNumber, NumberProblem } from "./phone.js";

/**
 * Whether a completed call gets a survey, and when. Pure: every fact that
 * needs the database (opt-out, earlier surveys) or randomness comes in as a
 * value, so the rules are tested without either.
 */
export type SkipReason =
  | NumberProblem
  | "short_call"
  | "opted_out"
  | "call_too_old"
  | "recently_surveyed"
  | "outside_calling_hours"
  | "not_sampled";

export const SKIP_REASONS: readonly SkipReason[] = [
  "hidden_number",
  "invalid_number",
  "internal_number",
  "premium_rate_number",
  "foreign_number",
  "short_call",
  "opted_out",
  "call_too_old",
  "recently_surveyed",
  "outside_calling_hours",
  "not_sampled",
];

export type SurveyDecision =
  { decision: "scheduled"; dueAt: Date; expiresAt: Date } | { decision: "skipped"; reason: SkipReason };

export interface SurveyInput {
  number: ClassifiedNumber;
  startedAt: Date;
  endedAt: Date;
  queueSeconds: number;
}

export type SamplingSettings = Pick<
  OrgSettings,
  "sampleRate" | "callingHours" | "skipPublicHolidays" | "surveyDelaySeconds" | "expiryMinutes" | "minTalkSeconds"
>;

export interface SurveyFacts {
  now: Date;
  timeZone: string;
  /** The number is on the organization's opt-out list. */
  optedOut: boolean;
  /** A survey was scheduled for this number within repeatWindowDays. */
  surveyedRecently: boolean;
  /** Uniform in [0, 1); the call is sampled when below sampleRate. See sampleValue. */
  sampleValue: number;
}

/** Seconds the citizen talked with the agent: the call minus its queue time. */
export function talkSeconds(input: Pick<SurveyInput, "startedAt" | "endedAt" | "queueSeconds">): number {
  return Math.max(0, Math.floor((input.endedAt.getTime() - input.startedAt.getTime()) / 1000) - input.queueSeconds);
}

/**
 * A stable value in [0, 1) per call, so a resent or re-imported call gets the
 * same sampling outcome and tests are deterministic without a random source.
 */
export function sampleValue(organizationId: string, externalCallId: string): number {
  const digest = createHash("sha256").update(`${organizationId}\u0000${externalCallId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

const skip = (reason: SkipReason): SurveyDecision => ({ decision: "skipped", reason });

/**
 * Rules in a fixed order, the first that applies names the skip: the number,
 * then whether this was a real contact, the citizen's wishes, timing, and last
 * the sample, so the sample rate is a share of calls that could be surveyed.
 */
export function decideSurvey(input: SurveyInput, settings: SamplingSettings, facts: SurveyFacts): SurveyDecision {
  if (input.number.problem) return skip(input.number.problem);
  if (talkSeconds(input) < settings.minTalkSeconds) return skip("short_call");
  if (facts.optedOut) return skip("opted_out");
  const expiresAt = new Date(input.endedAt.getTime() + settings.expiryMinutes * 60_000);
  if (facts.now >= expiresAt) return skip("call_too_old");
  if (facts.surveyedRecently) return skip("recently_surveyed");
  const earliest = Math.max(input.endedAt.getTime() + settings.surveyDelaySeconds * 1000, facts.now.getTime());
  const dueAt = nextCallingTime(new Date(earliest), {
    callingHours: settings.callingHours,
    skipPublicHolidays: settings.skipPublicHolidays,
    timeZone: facts.timeZone,
  });
  if (!dueAt || dueAt >= expiresAt) return skip("outside_calling_hours");
  if (!(facts.sampleValue < settings.sampleRate)) return skip("not_sampled");
  return { decision: "scheduled", dueAt, expiresAt };
}
