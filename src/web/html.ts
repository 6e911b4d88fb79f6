/**
 * Views escape by default. Every page, report and fragment is built with the
 * `html` tagged template: each interpolated value is HTML-escaped unless it is
 * itself the result of `html` (or of `trustedHtml`, for markup this service
 * generated itself, never data). Arrays are joined, and null, undefined and
 * booleans render as nothing, so `${cond && html`…`}` works.
 *
 * The tag is Hono's `html` helper (a small, well-kept, dependency-free
 * implementation used far beyond Hono itself); this module only narrows it to
 * synchronous rendering, which is all the pages need.
 */
import { html as honoHtml, raw } from "hono/html";

/** Markup that is safe to place in a page as it is. */
export type Html = ReturnType<typeof raw>;

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = honoHtml(strings, ...values);
  // A Promise can only appear if someone interpolated one: await data first, then render.
  if (out instanceof Promise) throw new TypeError("html: a Promise was interpolated; await it before rendering");
  return out;
}

/**
 * Markup the service generated itself from trusted parts (an inline SVG's
 * numbers, a constant snippet). Never pass anything that came from a person,
 * the database or a request.
 */
export function trustedHtml(markup: string): Html {
  return raw(markup);
}

/** Joins fragments with a separator (itself markup). */
export function joinHtml(parts: readonly Html[], separator: Html = trustedHtml("")): Html {
  return trustedHtml(parts.map(String).join(String(separator)));
}

/** The final document as a string, for `res.send` (which would serialise a String object as JSON). */
export function toDocument(page: Html): string {
  return String(page);
}
