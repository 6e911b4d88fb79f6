import { isValidPhoneNumber } from "libphonenumber-js";

/**
 * The one phone-number matcher: the logger masks with it, and every text the
 * service stores from outside (Twilio error messages, callback details, CSV
 * errors) goes through `scrubPhoneNumbers` before it is stored, so a number
 * never outlives the ciphertext that is erased when its survey ends.
 */

/** +46701234567 -> +4670*****67: enough to tell calls apart, never enough to call. */
export function maskPhone(number: string | null | undefined): string {
  if (!number) return "(none)";
  const s = number.replace(/[\s\u00a0]+/g, "");
  if (s.length <= 6) return "*".repeat(s.length);
  return s.slice(0, 5) + "*".repeat(Math.max(1, s.length - 7)) + s.slice(-2);
}

// One left-to-right scan with alternatives. The first four are things that
// contain digits but are never numbers and are kept whole, so the phone
// alternative never starts inside them: UUIDs, ISO dates and times (with their
// +02:00 offsets), bare clock times, and words with a letter in them (Twilio
// SIDs, hex ids, file names). What is left is a run of digits with the
// separators people write numbers with (spaces, hyphens, parentheses).
const MATCHER = new RegExp(
  [
    /(?<keep>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-z]))/u,
    /(?<date>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?(?![\d-]))?)/u,
    /(?<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)/u,
    /(?<word>[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/u,
    /(?<phone>(?:\+|\(\+?)?\d(?:[\d \u00a0()-]*\d)?\)?)/u,
  ]
    .map((r) => r.source)
    .join("|"),
  "giu",
);

const digitsOf = (s: string) => s.replace(/\D/g, "");

/** Whether a digit run found in free text is a phone number, by how it starts and how long it is. */
function isPhoneNumber(candidate: string): boolean {
  const digits = digitsOf(candidate);
  if (digits.length > 17) return false; // E.164 is at most 15, plus 00 or a (0) written inside
  const lead = candidate.replace(/^\(/, "");
  // Written as a number: international (+, 00) or national (0, the area code perhaps in parentheses).
  if (lead.startsWith("+")) return digits.length >= 7;
  if (digits.startsWith("0")) return digits.length >= 7;
  // A bare digit run (46701740605, 46 70 174 06 05): only when it is a valid number with its
  // country code, so counts, epoch times and numeric ids stay readable.
  return digits.length >= 9 && isValidPhoneNumber(`+${digits}`);
}

/** Every phone number in `text`, replaced by its mask; everything else untouched. */
export function scrubPhoneNumbers(text: string): string;
export function scrubPhoneNumbers(text: string | null | undefined): string | null | undefined;
export function scrubPhoneNumbers(text: string | null | undefined): string | null | undefined {
  if (!text) return text;
  return text.replace(MATCHER, (m: string, ...args: unknown[]) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const phone = groups.phone;
    if (phone === undefined) return m;
    // Joined to a word by a hyphen (call-46701740605, 0701740605-b): part of an id, kept.
    const at = args[args.length - 3] as number;
    if (/[\p{L}\p{N}_]-$/u.test(text.slice(Math.max(0, at - 2), at))) return m;
    if (/^-[\p{L}_]/u.test(text.slice(at + m.length, at + m.length + 2))) return m;
    return scrubRun(phone);
  });
}

/**
 * One run of digits and separators: masked when it is a number. A run too long
 * for one number is usually two written side by side ("+46701740607 (070-174 06 07)"):
 * the longest leading part that is a number is masked and the rest scanned again.
 */
function scrubRun(run: string, depth = 0): string {
  const lead = run.match(/^[\s\u00a0]*/)![0];
  const trail = run.match(/[\s\u00a0]*$/)![0];
  const body = run.slice(lead.length, run.length - trail.length);
  if (!body) return run;
  // Brackets around the whole number, or a ")" that closes nothing, are punctuation.
  let open = "";
  let close = "";
  let core = body;
  const count = (t: string, c: string) => t.split(c).length - 1;
  if (core.startsWith("(") && core.endsWith(")") && core.indexOf(")") === core.length - 1) {
    [open, close, core] = ["(", ")", core.slice(1, -1)];
  } else if (core.endsWith(")") && count(core, "(") < count(core, ")")) {
    [close, core] = [")", core.slice(0, -1)];
  }
  if (isPhoneNumber(core)) return lead + open + maskPhone(core) + close + trail;
  if (depth < 8 && digitsOf(body).length > 9) {
    // Split points: a separator after a digit and before a digit, "(" or "+".
    const cuts = [...body.matchAll(/(?<=\d\)?)[\s\u00a0-]+(?=[\d(+])/g)].reverse();
    for (const c of cuts) {
      const head = body.slice(0, c.index);
      const digits = digitsOf(head).length;
      if (digits >= 7 && isValidPhoneNumber(head.replace(/[()]/g, ""), "SE")) {
        return lead + scrubRun(head, depth + 1) + c[0] + scrubRun(body.slice(c.index + c[0].length), depth + 1) + trail;
      }
    }
  }
  return run;
}

/** Scrubs every string inside a JSON-like value (for jsonb details), leaving its shape. */
export function scrubPhoneNumbersDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return scrubPhoneNumbers(value) as T;
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubPhoneNumbersDeep(v, depth + 1)) as T;
  if (value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrubPhoneNumbersDeep(v, depth + 1)]),
  ) as T;
}
