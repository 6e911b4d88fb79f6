import { html, type Html } from "../web/html.js";
import { msg, type Lang, type Messages } from "../i18n/index.js";
import { queueText } from "../review/queue-text.js";
import type { QueueLocation } from "../review/locate.js";
import type { HighlightPart } from "./search-rules.js";
import type { SearchResult } from "./search.js";

export interface SearchPageInput {
  lang: Lang;
  timeZone: string;
  /** What the manager typed, echoed back into the form. */
  query: Record<string, string>;
  result: SearchResult | null;
  /** A rejected filter: its field and why. */
  error: { field: string; message: string } | null;
  groups: { id: string; name: string }[];
  agents: { id: string; name: string }[];
  forvaltningar: string[];
  /** Each hit's week, page and link in the listening queue (review's queueLocations, as the JSON API gives them). */
  spots: ReadonlyMap<string, QueueLocation>;
}

const FIELD_LABEL: Record<string, keyof SearchText> = {
  q: "q",
  week: "week",
  groupId: "group",
  agentId: "agent",
  category: "category",
  forvaltning: "forvaltning",
  page: "pages",
};

export const searchTitle = (lang: Lang) => msg(lang).transcripts.searchPage.title;

/** Matching words in <mark>; every part is text the template escapes. */
export function renderHighlight(parts: readonly HighlightPart[]): Html[] {
  return parts.map((p) => (p.match ? html`<mark>${p.text}</mark>` : html`${p.text}`));
}

export function renderSearchBody(i: SearchPageInput): Html {
  const t = msg(i.lang).transcripts.searchPage;
  const classes = queueText(i.lang).classes;
  const v = (k: string) => i.query[k] ?? "";
  const invalid = (k: string) =>
    i.error?.field === k ? html` aria-invalid="true" aria-describedby="search-error"` : "";
  const opt = (value: string, label: string, current: string) =>
    html`<option value="${value}"${value === current ? html` selected` : ""}>${label}</option>`;
  const select = (name: string, label: string, options: { id: string; name: string }[]) =>
    html`<div><label for="s-${name}">${label}</label><select id="s-${name}" name="${name}"${invalid(name)}>${opt("", t.any, v(name))}${options.map((o) => opt(o.id, o.name, v(name)))}</select></div>`;
  const errorLabel = i.error ? String(t[FIELD_LABEL[i.error.field] ?? "q"]) : "";
  return html`<div class="search-page">
<h1>${t.title}</h1>
<p class="lead">${t.lead}</p>
${i.error ? html`<p class="error" id="search-error" role="alert">${t.errorPrefix} ”${errorLabel}”: ${i.error.message}</p>` : ""}
<form method="get" action="/search" class="search-form" role="search">
<div class="fields">
<div class="wide"><label for="s-q">${t.q}</label><input id="s-q" name="q" type="search" maxlength="200" value="${v("q")}"${invalid("q")}></div>
<div><label for="s-week">${t.week}</label><input id="s-week" name="week" maxlength="8" value="${v("week")}" aria-describedby="s-week-h"${invalid("week")}><p class="hint" id="s-week-h">${t.weekHint}</p></div>
${select("groupId", t.group, i.groups)}
${select("agentId", t.agent, i.agents)}
${select(
  "category",
  t.category,
  Object.entries(classes).map(([id, name]) => ({ id, name })),
)}
<div><label for="s-fv">${t.forvaltning}</label><input id="s-fv" name="forvaltning" list="s-fv-list" maxlength="200" value="${v("forvaltning")}"${invalid("forvaltning")}><datalist id="s-fv-list">${i.forvaltningar.map((f) => html`<option value="${f}"></option>`)}</datalist></div>
</div>
<button type="submit">${t.search}</button>
</form>
<details class="search-help"><summary>${t.helpTitle}</summary><ul>${t.help.map((h) => html`<li>${h}</li>`)}</ul></details>
${i.result ? results(i, t, classes) : ""}
</div>`;
}

type SearchText = Messages["transcripts"]["searchPage"];

function results(i: SearchPageInput, t: SearchText, classes: Record<string, string>): Html {
  const r = i.result!;
  const when = new Intl.DateTimeFormat(i.lang === "en" ? "en-GB" : "sv-SE", {
    timeZone: i.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  });
  const hits = r.hits.map((h) => {
    const href = i.spots.get(h.voiceMessageId)?.href ?? "/queue";
    const tags = [h.classification ? classes[h.classification] : null, h.forvaltning].filter(Boolean).join(" · ");
    return html`<li class="hit"><article aria-labelledby="hit-${h.voiceMessageId}">
<h3 id="hit-${h.voiceMessageId}"><time datetime="${h.recordedAt.toISOString()}">${when.format(h.recordedAt)}</time> · ${h.groupName} · ${h.agentName}</h3>
${tags ? html`<p class="muted">${tags}</p>` : ""}
${h.transcript ? html`<p><strong>${h.transcriptCorrected ? t.corrected : t.transcript}:</strong> ${renderHighlight(h.transcript)}</p>` : ""}
${h.note ? html`<p><strong>${t.note}:</strong> ${renderHighlight(h.note)}</p>` : ""}
${h.caseReference ? html`<p><strong>${t.caseRef}:</strong> ${renderHighlight(h.caseReference)}</p>` : ""}
<p><a href="${href}">${t.open}</a></p>
</article></li>`;
  });
  return html`<section aria-labelledby="results-h"><h2 id="results-h">${t.results(r.total)}</h2>
${r.hits.length === 0 ? html`<p>${t.none}</p>` : html`<ol class="hits" start="${(r.page - 1) * r.pageSize + 1}">${hits}</ol>`}
${pager(i, t)}
</section>`;
}

function pager(i: SearchPageInput, t: SearchText): Html | string {
  const r = i.result!;
  const count = Math.ceil(r.total / r.pageSize);
  if (count <= 1) return "";
  const href = (p: number) => {
    const qs = new URLSearchParams(Object.entries(i.query).filter(([k, val]) => k !== "page" && val !== ""));
    if (p > 1) qs.set("page", String(p));
    return `/search?${qs.toString()}`;
  };
  return html`<nav class="pager" aria-label="${t.pages}">${r.page > 1 ? html`<a href="${href(r.page - 1)}" rel="prev">← ${t.prev}</a>` : ""}<span>${t.page(r.page, count)}</span>${r.page < count ? html`<a href="${href(r.page + 1)}" rel="next">${t.next} →</a>` : ""}</nav>`;
}
