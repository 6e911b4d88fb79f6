import { isValidDay } from "../lib/calendar.js";
import type { TargetMetric } from "./targets.js";

/**
 * Reading a target as a person types it, so it cannot be silently mistyped:
 * a mean takes a decimal comma or point ("4,2" and "4.2" are 4.2) and must lie
 * on the 1–5 scale ("42" is refused, never saved); a share is typed in percent
 * ("80" or "80 %" is 0.80), and a fraction such as "0,8" is refused with the
 * question whether 80 % was meant, never stored as 0.8 %. A band has an upper
 * bound above its lower one. Messages are Swedish and name the field.
 * Pure: strings in, a value or the problems out.
 */
export interface TargetInput {
  questionKey: string;
  metric: string;
  lower: string;
  upper?: string;
  validFrom: string;
}

export interface ParsedTarget {
  questionKey: string;
  metric: TargetMetric;
  /** Stored as the model's threshold: a mean, or a share 0–1. */
  threshold: number;
  upper: number | null;
  validFrom: string;
}

export interface TargetProblem {
  field: keyof TargetInput;
  message: string;
}

const FIELD_NAMES: Record<keyof TargetInput, string> = {
  questionKey: "Fråga",
  metric: "Mått",
  lower: "Lägsta värde",
  upper: "Högsta värde",
  validFrom: "Gäller från",
};

/** "4,2", "4.2", " 80 % " → number; null when it is not a number at all. */
export function readDecimal(text: string): number | null {
  const t = text.trim().replace(/\s*%$/, "").replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

function readBound(field: "lower" | "upper", text: string, metric: TargetMetric): number | string {
  const name = FIELD_NAMES[field];
  const n = readDecimal(text);
  if (n === null)
    return metric === "mean"
      ? `${name}: "${text.trim()}" är inget tal. Skriv ett medelvärde mellan 1 och 5, t.ex. 4,2.`
      : `${name}: "${text.trim()}" är inget tal. Skriv andelen i procent, t.ex. 80.`;
  if (metric === "mean") {
    if (n < 1 || n > 5) {
      const hint = n > 5 && n <= 50 && Number.isInteger(n) ? ` Menade du ${String(n / 10).replace(".", ",")}?` : "";
      return `${name}: ${text.trim()} ligger utanför skalan 1–5 för ett medelvärde.${hint}`;
    }
    return n;
  }
  if (n > 0 && n < 1)
    return `${name}: andelar skrivs i procent. Menade du ${String(Math.round(n * 1000) / 10).replace(".", ",")} %? Skriv då ${String(Math.round(n * 1000) / 10).replace(".", ",")}.`;
  if (n < 1 || n > 100) return `${name}: en andel i procent ligger mellan 1 och 100.`;
  return Math.round(n * 100) / 10_000;
}

export function parseTargetInput(
  input: TargetInput,
  questionKeys: readonly string[],
): { ok: true; value: ParsedTarget } | { ok: false; problems: TargetProblem[] } {
  const problems: TargetProblem[] = [];
  if (!questionKeys.includes(input.questionKey))
    problems.push({ field: "questionKey", message: `${FIELD_NAMES.questionKey}: välj en fråga i listan.` });
  const metric = input.metric === "mean" || input.metric === "satisfiedShare" ? input.metric : null;
  if (!metric) problems.push({ field: "metric", message: `${FIELD_NAMES.metric}: välj medelvärde eller andel nöjda.` });
  if (!isValidDay(input.validFrom.trim()))
    problems.push({
      field: "validFrom",
      message: `${FIELD_NAMES.validFrom}: skriv ett datum som ÅÅÅÅ-MM-DD, t.ex. 2026-01-01.`,
    });
  let lower: number | null = null;
  let upper: number | null = null;
  if (metric) {
    const lo = readBound("lower", input.lower, metric);
    if (typeof lo === "string") problems.push({ field: "lower", message: lo });
    else lower = lo;
    if (input.upper !== undefined && input.upper.trim() !== "") {
      const hi = readBound("upper", input.upper, metric);
      if (typeof hi === "string") problems.push({ field: "upper", message: hi });
      else upper = hi;
    }
    if (lower !== null && upper !== null && upper <= lower)
      problems.push({
        field: "upper",
        message: `${FIELD_NAMES.upper}: ska vara större än ${FIELD_NAMES.lower.toLowerCase()} (eller tomt för ett mål utan övre gräns).`,
      });
  }
  if (problems.length || !metric || lower === null) return { ok: false, problems };
  return {
    ok: true,
    value: { questionKey: input.questionKey, metric, threshold: lower, upper, validFrom: input.validFrom.trim() },
  };
}

/** The targets the source documents give (seed 001), preset for a new organization and the demo; editable. */
export const PRESET_TARGETS: readonly Omit<ParsedTarget, "validFrom">[] = [
  { questionKey: "bemotande", metric: "mean", threshold: 4.3, upper: null },
  { questionKey: "kunskap", metric: "mean", threshold: 4.0, upper: null },
  { questionKey: "overall", metric: "satisfiedShare", threshold: 0.75, upper: 0.8 },
];
