import { nextPeriod, PICKER_KINDS, previousPeriod, type Period, type PickerKind } from "../results/periods.js";
import { html, type Html } from "./html.js";
import { msg, type Lang } from "./i18n.js";

/**
 * Previous/next links and a period picker for a page whose period is in the
 * URL (?period=…). The picker is a plain GET form (kind, year, number), so it
 * works without JavaScript and every choice is a bookmarkable address.
 */
function pickerValues(p: Period): { kind: PickerKind; year: string; number: string } {
  const year = p.label.slice(0, 4);
  switch (p.kind) {
    case "week":
      return { kind: "week", year, number: String(Number(p.label.slice(6))) };
    case "month":
      return { kind: "month", year, number: String(Number(p.label.slice(5, 7))) };
    case "tertial":
      return { kind: "tertial", year, number: p.label.slice(6) };
    default:
      return { kind: "year", year: p.from.slice(0, 4), number: "" };
  }
}

const hrefFor = (path: string, p: Period, keep: Record<string, string>) =>
  `${path}?period=${encodeURIComponent(p.label)}${Object.entries(keep)
    .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
    .join("")}`;

/** Links to neighbours that exist (within 2000–2100). */
function neighbour(p: Period, step: -1 | 1): Period | null {
  try {
    return step < 0 ? previousPeriod(p) : nextPeriod(p);
  } catch {
    return null;
  }
}

/** `keep`: other query parameters the page's links and picker carry along (e.g. the channel). */
export function periodNav(o: {
  path: string;
  period: Period;
  lang: Lang;
  keep?: Record<string, string | undefined>;
}): Html {
  const L = o.lang;
  const keep = Object.fromEntries(
    Object.entries(o.keep ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const prev = neighbour(o.period, -1);
  const next = neighbour(o.period, 1);
  const v = pickerValues(o.period);
  return html`<nav class="period-nav noprint" aria-label="${msg(L).common.period}">
  ${prev && html`<a rel="prev" href="${hrefFor(o.path, prev, keep)}">← ${prev.label}</a>`}
  <strong aria-current="page">${o.period.label}</strong>
  ${next && html`<a rel="next" href="${hrefFor(o.path, next, keep)}">${next.label} →</a>`}
  <form method="get" action="${o.path}" class="period-picker">
    ${Object.entries(keep).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
    <label>${msg(L).common.kind}
      <select name="kind">${PICKER_KINDS.map(
        (k) => html`<option value="${k}"${k === v.kind ? html` selected` : ""}>${msg(L).terms.periodKinds[k]}</option>`,
      )}</select></label>
    <label>${msg(L).common.year} <input name="year" type="number" min="2000" max="2100" value="${v.year}" required></label>
    <label>${msg(L).common.numberWeekMonthOr}
      <input name="number" type="number" min="1" max="53" value="${v.number}"></label>
    <button type="submit">${msg(L).common.show}</button>
  </form>
</nav>`;
}
