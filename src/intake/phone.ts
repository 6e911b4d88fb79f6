import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Caller numbers as telephony systems report them ("070-123 45 67",
 * "0046701234567", "+46 (0)70…", "anonymous") turned into E.164, or into the
 * reason a survey call to them must not be made. Pure.
 */
export type NumberProblem =
  "hidden_number" | "invalid_number" | "internal_number" | "premium_rate_number" | "foreign_number";

export type ClassifiedNumber = { e164: string; problem: null } | { e164: string | null; problem: NumberProblem };

export interface NumberRules {
  /** E.164 prefixes of the organization's own numbers. */
  internalPrefixes: readonly string[];
  /**
   * Swedish municipalities survey Swedish numbers: a call abroad costs more,
   * reaches people on holiday at odd local hours, and the flows speak to
   * residents. Foreign numbers are skipped unless this is set.
   */
  surveyForeignNumbers?: boolean;
}

const HIDDEN_WORDS = new Set([
  "",
  "anonymous",
  "anonym",
  "unknown",
  "okänt",
  "okand",
  "private",
  "privat",
  "restricted",
  "withheld",
  "hidden",
  "dold",
  "dolt",
  "skyddat",
  "blocked",
  "unavailable",
  "null",
  "undefined",
  "none",
  "-",
]);

// The pseudo numbers Twilio and many SIP trunks put in place of a withheld caller id
// (they spell ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE on a keypad).
const HIDDEN_PSEUDO_NUMBERS = new Set(["266696687", "7378742833", "2562533", "8656696", "86282452253"]);

// Swedish premium-rate ranges (0900, 0939, 0944), checked by prefix as well in case
// the metadata lags behind a number plan change.
const SWEDISH_PREMIUM_PREFIXES = ["+46900", "+46939", "+46944"];

function isHidden(raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (HIDDEN_WORDS.has(word)) return true;
  const digits = word.replace(/^\+|^00/, "").replace(/[\s\-().]/g, "");
  return HIDDEN_PSEUDO_NUMBERS.has(digits) || /^0+$/.test(digits);
}

export interface NormalisedNumber {
  e164: string | null;
  /** Problems that do not depend on the organization's settings. */
  problem: "hidden_number" | "invalid_number" | "premium_rate_number" | null;
  swedish: boolean;
}

/** E.164 and the settings-independent verdict; parse once, then apply rules per group. */
export function normaliseNumber(raw: string | null | undefined): NormalisedNumber {
  if (raw == null || isHidden(raw)) return { e164: null, problem: "hidden_number", swedish: false };
  // "+46 (0)70 …" is common in signatures and CRM exports; the (0) is the trunk prefix.
  const cleaned = raw.trim().replace(/\(0\)/g, "");
  if (cleaned.length > 40 || /[a-z]{2,}/i.test(cleaned))
    return { e164: null, problem: "invalid_number", swedish: false };
  const parsed = parsePhoneNumberFromString(cleaned, "SE");
  if (!parsed || !parsed.isValid()) return { e164: null, problem: "invalid_number", swedish: false };
  const e164 = parsed.number;
  const premium = parsed.getType() === "PREMIUM_RATE" || SWEDISH_PREMIUM_PREFIXES.some((p) => e164.startsWith(p));
  return { e164, problem: premium ? "premium_rate_number" : null, swedish: parsed.countryCallingCode === "46" };
}

export function applyNumberRules(n: NormalisedNumber, rules: NumberRules): ClassifiedNumber {
  if (!n.e164) return { e164: null, problem: n.problem ?? "invalid_number" };
  if (rules.internalPrefixes.some((p) => n.e164!.startsWith(p))) return { e164: n.e164, problem: "internal_number" };
  if (n.problem) return { e164: n.e164, problem: n.problem };
  if (!n.swedish && !rules.surveyForeignNumbers) return { e164: n.e164, problem: "foreign_number" };
  return { e164: n.e164, problem: null };
}

export function classifyNumber(raw: string | null | undefined, rules: NumberRules): ClassifiedNumber {
  return applyNumberRules(normaliseNumber(raw), rules);
}
