import type { z } from "zod";
import { AppError } from "../../lib/errors.js";
import { html, type Html } from "../html.js";
import { tr, type Lang } from "../i18n.js";

/** Field names as a person reads them on the form, per language. */
export type FieldLabels = Record<string, readonly [sv: string, en: string]>;

/**
 * Messages for the custom refinements of the admin forms. A refinement's
 * message is one of these keys, so the page can say it in either language.
 */
const CUSTOM: Record<string, readonly [string, string]> = {
  same_group: ["kan inte vara samma grupp som den som slås ihop", "cannot be the group being merged"],
  agent_required: ["en kommunvägledare måste kopplas till sitt agent-id", "an agent account needs its agent id"],
  agent_forbidden: ["bara kommunvägledare kopplas till ett agent-id", "only agent accounts have an agent id"],
};

/** One zod issue as a sentence without the field name (that is added by the caller). */
function issueText(issue: z.core.$ZodIssue, L: Lang): string {
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; format?: string };
  switch (i.code) {
    case "too_small":
      return Number(i.minimum) <= 1 && i.origin === "string"
        ? tr(L, "måste fyllas i", "is required")
        : i.origin === "string"
          ? tr(L, `måste ha minst ${i.minimum} tecken`, `needs at least ${i.minimum} characters`)
          : tr(L, `måste vara minst ${i.minimum}`, `must be at least ${i.minimum}`);
    case "too_big":
      return i.origin === "string"
        ? tr(L, `får ha högst ${i.maximum} tecken`, `may have at most ${i.maximum} characters`)
        : tr(L, `får vara högst ${i.maximum}`, `may be at most ${i.maximum}`);
    case "invalid_format":
      return i.format === "email"
        ? tr(L, "är inte en giltig e-postadress", "is not a valid e-mail address")
        : tr(L, "har fel format", "has the wrong format");
    case "invalid_value":
      return tr(L, "är inte ett av de tillåtna valen", "is not one of the allowed choices");
    case "custom": {
      const m = CUSTOM[i.message];
      return m ? tr(L, m[0], m[1]) : i.message;
    }
    default:
      return tr(L, "saknas eller är ogiltigt", "is missing or invalid");
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
    const label = labels[key] ? tr(L, labels[key][0], labels[key][1]) : key;
    return `${label}: ${issueText(i, L)}.`;
  });
  throw new AppError(
    "validation_failed",
    `Invalid form: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`,
    details,
    sentences.join(" "),
  );
}

/** An error a person can read: the form's sentence in the page's language, or the service's Swedish userMessage. */
export const userText = (err: AppError): string => err.userMessage ?? err.message;

export const csrfField = (t: string): Html => html`<input type="hidden" name="_csrf" value="${t}">`;

export const fmtWhen = (L: Lang, timeZone: string, d: Date | null): string =>
  d
    ? new Intl.DateTimeFormat(L === "en" ? "en-GB" : "sv-SE", {
        timeZone,
        dateStyle: "short",
        timeStyle: "short",
      }).format(d)
    : "–";
