import type { OrgSettings } from "../../organizations/settings.js";
import { html, type Html } from "../html.js";
import { fmt, tr, type Lang } from "../i18n.js";
import { questionLabel, QUESTION_ORDER } from "../questions.js";

/** Sub-navigation and flash messages shared by the admin pages. */
export function adminTabs(active: string, lang: Lang): Html {
  const tabs = [
    ["settings", "/admin", tr(lang, "Inställningar och grupper", "Settings and groups")],
    ["targets", "/admin/targets", tr(lang, "Mål", "Targets")],
    ["users", "/admin/users", tr(lang, "Användare", "Users")],
    ["groups", "/admin/groups", tr(lang, "Svarsgrupper", "Svarsgrupper")],
    ["api-keys", "/admin/api-keys", tr(lang, "API-nycklar", "API keys")],
    ["flows", "/admin/flows", tr(lang, "Enkätflöden", "Survey flows")],
    ["audit", "/admin/audit", tr(lang, "Granskningslogg", "Audit log")],
  ];
  return html`<nav class="tabs" aria-label="${tr(lang, "Administration", "Administration")}">${tabs.map(
    ([k, href, label]) => html`<a href="${href}"${k === active ? html` aria-current="page"` : ""}>${label}</a>`,
  )}</nav>`;
}

export function flash(lang: Lang, o: { saved?: boolean; error?: string }): Html {
  if (o.error) return html`<p class="error" role="alert">${o.error}</p>`;
  if (o.saved) return html`<p class="notice" role="status">${tr(lang, "Sparat.", "Saved.")}</p>`;
  return html``;
}

const csrfField = (t: string) => html`<input type="hidden" name="_csrf" value="${t}">`;

function field(id: string, label: string, input: Html, hint?: string): Html {
  return html`<label for="${id}">${label}</label>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ""}${input}`;
}

export function settingsForm(s: OrgSettings, csrf: string, lang: Lang, questionKeys: string[]): Html {
  const nki = s.nkiDefinition.kind === "question" ? s.nkiDefinition.questionKey : "all-questions";
  const keys = [...new Set([...QUESTION_ORDER.filter((k) => k !== "overall"), ...questionKeys])];
  const L = lang;
  return html`<form method="post" action="/admin/settings" class="card">${csrfField(csrf)}
<h2>${tr(L, "Urval och uppringning", "Sampling and calling")}</h2>
${field("samplePercent", tr(L, "Andel av samtalen som får en enkät (%)", "Share of calls that get a survey (%)"), html`<input id="samplePercent" name="samplePercent" type="number" min="0" max="100" step="0.1" required value="${fmt("en", s.sampleRate * 100, 1).replace(/,/g, "")}" aria-describedby="samplePercent-hint">`, tr(L, "0–100. Gäller alla svarsgrupper som inte har ett eget värde.", "0–100. Applies to every svarsgrupp without its own value."))}
${field("callingHours", tr(L, "Tider då vi ringer", "Calling hours"), html`<input id="callingHours" name="callingHours" required value="${s.callingHours}" aria-describedby="callingHours-hint">`, tr(L, "T.ex. mon-fri 08:00-20:00, sat 10:00-14:00, eller always.", "E.g. mon-fri 08:00-20:00, sat 10:00-14:00, or always."))}
<p><input type="checkbox" id="skipPublicHolidays" name="skipPublicHolidays"${s.skipPublicHolidays ? html` checked` : ""}> <label for="skipPublicHolidays" class="inline-label">${tr(L, "Ring inte på helgdagar", "Do not call on public holidays")}</label></p>
${field("surveyDelaySeconds", tr(L, "Fördröjning efter samtalet (sekunder)", "Delay after the call (seconds)"), html`<input id="surveyDelaySeconds" name="surveyDelaySeconds" type="number" min="0" max="86400" required value="${s.surveyDelaySeconds}">`)}
<h2>${tr(L, "Resultat", "Results")}</h2>
${field("minAnswersForResult", tr(L, "Minsta antal svar för att visa ett resultat", "Fewest answers before a result is shown"), html`<input id="minAnswersForResult" name="minAnswersForResult" type="number" min="1" max="10000" required value="${s.minAnswersForResult}">`)}
${field(
  "nkiQuestion",
  tr(L, "NKI totalt beräknas som", "Overall NKI is computed as"),
  html`<select id="nkiQuestion" name="nkiQuestion"><option value="all-questions"${nki === "all-questions" ? html` selected` : ""}>${tr(L, "Medel över alla besvarade frågor", "Mean over all answered questions")}</option>${keys.map(
    (k) => html`<option value="${k}"${nki === k ? html` selected` : ""}>${questionLabel(k, L)}</option>`,
  )}</select>`,
)}
${field("audioRetentionDaysAfterReview", tr(L, "Radera röstmeddelanden så här många dagar efter granskning", "Delete voice messages this many days after review"), html`<input id="audioRetentionDaysAfterReview" name="audioRetentionDaysAfterReview" type="number" min="1" max="3650" required value="${s.audioRetentionDaysAfterReview}">`)}
<p><button type="submit">${tr(L, "Spara inställningar", "Save settings")}</button></p>
</form>`;
}

export interface GroupRow {
  id: string;
  key: string;
  name: string;
  settings: { sampleRate?: number; callingHours?: string };
}

export function groupsTable(groups: GroupRow[], csrf: string, lang: Lang): Html {
  const L = lang;
  if (!groups.length)
    return html`<p>${tr(L, "Inga svarsgrupper ännu. De registreras när telefonisystemet rapporterar det första samtalet.", "No svarsgrupper yet. They are registered when the telephony system reports the first call.")}</p>`;
  return html`${groups.map(
    (g) => html`<form method="post" action="/admin/groups/${g.id}" class="card">${csrfField(csrf)}
<h3>${g.name} <span class="muted">(${g.key})</span></h3>
<div class="grid">
<div>${field(`name-${g.id}`, tr(L, "Namn", "Name"), html`<input id="name-${g.id}" name="name" required value="${g.name}">`)}</div>
<div>${field(`sp-${g.id}`, tr(L, "Egen urvalsandel (%)", "Own sampling share (%)"), html`<input id="sp-${g.id}" name="samplePercent" type="number" min="0" max="100" step="0.1" value="${g.settings.sampleRate === undefined ? "" : Math.round(g.settings.sampleRate * 1000) / 10}" placeholder="${tr(L, "som organisationen", "as the organization")}">`)}</div>
<div>${field(`ch-${g.id}`, tr(L, "Egna tider", "Own calling hours"), html`<input id="ch-${g.id}" name="callingHours" value="${g.settings.callingHours ?? ""}" placeholder="${tr(L, "som organisationen", "as the organization")}">`)}</div>
</div>
<p><button type="submit" class="secondary">${tr(L, "Spara", "Save")} ${g.name}</button></p>
</form>`,
  )}`;
}
