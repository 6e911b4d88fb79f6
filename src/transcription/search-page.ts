import { html, type Html } from "../web/html.js";
import { type Lang } from "../web/i18n.js";
import { queueText } from "../review/queue-text.js";
import { queueHref, type QueueSpot } from "../review/locate.js";
import { formatIsoWeek, weekOf } from "../review/rules.js";
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
  /** Each hit's week and page in the listening queue (review's locateInQueue); without one, its week's first page. */
  spots: ReadonlyMap<string, QueueSpot>;
}

const TEXT = {
  sv: {
    title: "Sök i röstmeddelanden",
    lead: "Sök i automatisk och rättad text, anteckningar och ärendereferenser.",
    q: "Sökord",
    week: "Vecka",
    weekHint: "T.ex. 2026-W48",
    group: "Svarsgrupp",
    agent: "Kommunvägledare",
    category: "Klassning",
    forvaltning: "Förvaltning",
    any: "Alla",
    search: "Sök",
    results: (n: number) => `${n} träffar`,
    none: "Inga träffar.",
    transcript: "Automatisk text",
    corrected: "Rättad text",
    note: "Anteckning",
    caseRef: "Ärendereferens",
    open: "Öppna i lyssningskön",
    prev: "Föregående sida",
    next: "Nästa sida",
    page: (p: number, n: number) => `Sida ${p} av ${n}`,
    pages: "Sidor",
    helpTitle: "Så fungerar sökningen",
    help: [
      "Sökningen använder PostgreSQL:s svenska ordstammar: ”snöröjningen” hittar ”snöröjning”, ”bemötandet” hittar ”bemötande”.",
      "Stammaren slår inte ihop alla böjningar. Därför matchar varje ord också som början av ett ord, och med bestämd form eller plural borttagen: ”klagomål” hittar ”klagomålet” och tvärtom, ”vänta” hittar ”väntetiden”.",
      "Delar av sammansatta ord hittas inte baklänges: ”väntetiden” hittar inte ”vänta”. Sök på den kortare formen när du vill ha fler träffar.",
      "Alla sökord måste finnas med. Den automatiska texten kan innehålla fel, och maskerade uppgifter (t.ex. [personnummer]) går inte att söka fram.",
    ],
    errorPrefix: "Kontrollera fältet",
  },
  en: {
    title: "Search voice messages",
    lead: "Search automatic and corrected text, notes and case references.",
    q: "Search words",
    week: "Week",
    weekHint: "E.g. 2026-W48",
    group: "Answer group",
    agent: "Agent",
    category: "Classification",
    forvaltning: "Department",
    any: "All",
    search: "Search",
    results: (n: number) => `${n} results`,
    none: "No results.",
    transcript: "Automatic text",
    corrected: "Corrected text",
    note: "Note",
    caseRef: "Case reference",
    open: "Open in the listening queue",
    prev: "Previous page",
    next: "Next page",
    page: (p: number, n: number) => `Page ${p} of ${n}`,
    pages: "Pages",
    helpTitle: "How search works",
    help: [
      "Search uses PostgreSQL's Swedish stemmer: “snöröjningen” finds “snöröjning”, “bemötandet” finds “bemötande”.",
      "The stemmer does not join every form, so each word also matches as the start of a word, and with a definite or plural ending removed: “klagomål” finds “klagomålet” and back, “vänta” finds “väntetiden”.",
      "Parts of compounds are not found backwards: “väntetiden” does not find “vänta”. Search for the shorter form to get more results.",
      "All words must match. The automatic text may contain errors, and masked details (e.g. [personnummer]) cannot be searched for.",
    ],
    errorPrefix: "Check the field",
  },
};

const FIELD_LABEL: Record<string, keyof (typeof TEXT)["sv"]> = {
  q: "q",
  week: "week",
  groupId: "group",
  agentId: "agent",
  category: "category",
  forvaltning: "forvaltning",
  page: "pages",
};

export const searchTitle = (lang: Lang) => TEXT[lang].title;

/** Matching words in <mark>; every part is text the template escapes. */
export function renderHighlight(parts: readonly HighlightPart[]): Html[] {
  return parts.map((p) => (p.match ? html`<mark>${p.text}</mark>` : html`${p.text}`));
}

export function renderSearchBody(i: SearchPageInput): Html {
  const t = TEXT[i.lang];
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

type SearchText = (typeof TEXT)["sv"];

function results(i: SearchPageInput, t: SearchText, classes: Record<string, string>): Html {
  const r = i.result!;
  const when = new Intl.DateTimeFormat(i.lang === "en" ? "en-GB" : "sv-SE", {
    timeZone: i.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  });
  const hits = r.hits.map((h) => {
    const spot = i.spots.get(h.voiceMessageId) ?? { week: formatIsoWeek(weekOf(h.recordedAt, i.timeZone)), page: 1 };
    const tags = [h.classification ? classes[h.classification] : null, h.forvaltning].filter(Boolean).join(" · ");
    return html`<li class="hit"><article aria-labelledby="hit-${h.voiceMessageId}">
<h3 id="hit-${h.voiceMessageId}"><time datetime="${h.recordedAt.toISOString()}">${when.format(h.recordedAt)}</time> · ${h.groupName} · ${h.agentName}</h3>
${tags ? html`<p class="muted">${tags}</p>` : ""}
${h.transcript ? html`<p><strong>${h.transcriptCorrected ? t.corrected : t.transcript}:</strong> ${renderHighlight(h.transcript)}</p>` : ""}
${h.note ? html`<p><strong>${t.note}:</strong> ${renderHighlight(h.note)}</p>` : ""}
${h.caseReference ? html`<p><strong>${t.caseRef}:</strong> ${renderHighlight(h.caseReference)}</p>` : ""}
<p><a href="${queueHref(spot, h.voiceMessageId)}">${t.open}</a></p>
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
