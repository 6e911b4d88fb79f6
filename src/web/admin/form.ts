import type { z } from "zod";
import { AppError } from "../../lib/errors.js";
import { html, type Html } from "../html.js";
import { msg, type Lang } from "../i18n.js";

/** Field names as a person reads them on the form, in the page's language (from the catalogue). */
export type FieldLabels = Readonly<Record<string, string>>;

/** One zod issue as a sentence without the field name (that is added by the caller). */
function issueText(issue: z.core.$ZodIssue, L: Lang): string {
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; format?: string };
  switch (i.code) {
    case "too_small":
      return Number(i.minimum) <= 1 && i.origin === "string"
        ? msg(L).admin.isRequired
        : i.origin === "string"
          ? msg(L).admin.needsAtLeastCharacters(Number(i.minimum))
          : msg(L).admin.mustBeAtLeast(Number(i.minimum));
    case "too_big":
      return i.origin === "string"
        ? msg(L).admin.mayHaveAtMost(Number(i.maximum))
        : msg(L).admin.mayBeAtMost(Number(i.maximum));
    case "invalid_format":
      return i.format === "email" ? msg(L).admin.isNotValidE : msg(L).admin.hasWrongFormat;
    case "invalid_value":
      return msg(L).admin.isNotOneOf;
    case "custom": {
      // a refinement's message is a key of the catalogue's admin.refinements
      const m = (msg(L).admin.refinements as Record<string, string>)[i.message];
      return m ?? i.message;
    }
    default:
      return msg(L).admin.isMissingOrInvalid;
  }
}

/**
 * Parses a submitted form; on failure throws a validation AppError whose
 * userMessage names each field by its label, in the page's language
 * ("Namn: måste fyllas i."), and whose details keep the field keys for the API and logs.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown, labels: FieldLabels, L: Lang): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: i.path.join(".") || "(form)", message: i.message }));
  const sentences = r.error.issues.map((i) => {
    const key = String(i.path[0] ?? "");
    const label = labels[key] ?? key;
    return `${label}: ${issueText(i, L)}.`;
  });
  throw new AppError(
    "validation_failed",
    `Invalid form: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`,
    details,
    sentences.join(" "),
  );
}

/** An error a person can read: the form's sentence in the page's language, or the service's userMessage. */
export const userText = (err: AppError, lang: Lang = "sv"): string => {
  const m = err.userMessage;
  return (typeof m === "function" ? m(lang) : m) ?? err.message;
};

export const csrfField = (t: string): Html => html`<input type="hidden" name="_csrf" value="${t}">`;

export const fmtWhen = (L: Lang, timeZone: string, d: Date | null): string =>
  d
    ? new Intl.DateTimeFormat(L === "en" ? "en-GB" : "sv-SE", {
        timeZone,
        dateStyle: "short",
        timeStyle: "short",
      }).format(d)
    : "–";
