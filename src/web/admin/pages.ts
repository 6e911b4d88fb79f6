import { toSimple, WEEKDAYS, type CallingWindow, type Weekday } from "../../intake/calling-hours-form.js";
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

const DAY_NAMES: Record<Weekday, [string, string]> = {
  mon: ["Måndag", "Monday"],
  tue: ["Tisdag", "Tuesday"],
  wed: ["Onsdag", "Wednesday"],
  thu: ["Torsdag", "Thursday"],
  fri: ["Fredag", "Friday"],
  sat: ["Lördag", "Saturday"],
  sun: ["Söndag", "Sunday"],
};

/**
 * Calling hours as weekday boxes and from–to times, holidays on/off, and the
 * next windows they give. A value with several windows is edited as text (the
 * stored format); the text, when filled in, wins over the boxes. No JS needed.
 * The organization's form and each svarsgrupp's use it (ids prefixed per group).
 */
function callingHoursFields(
  s: { callingHours: string; skipPublicHolidays: boolean },
  L: Lang,
  preview: CallingWindow[],
  timeZone: string,
  idPrefix = "",
): Html {
  const p = idPrefix;
  const simple = toSimple(s.callingHours);
  const boxes = simple ?? { days: [], from: "08:00", to: "20:00" };
  const when = new Intl.DateTimeFormat(L === "en" ? "en-GB" : "sv-SE", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
  });
  const time = new Intl.DateTimeFormat("sv-SE", { timeZone, hour: "2-digit", minute: "2-digit" });
  const end = (d: Date) => (time.format(d) === "00:00" ? "24:00" : time.format(d));
  return html`<fieldset class="calling-hours"><legend>${tr(L, "Tider då vi ringer", "Calling hours")}</legend>
<fieldset class="days"><legend>${tr(L, "Ringdagar", "Calling days")}</legend>${WEEKDAYS.map(
    (d) =>
      html`<span class="day"><input type="checkbox" id="${p}day-${d}" name="callingDays" value="${d}"${boxes.days.includes(d) ? html` checked` : ""}> <label for="${p}day-${d}" class="inline-label">${tr(L, ...DAY_NAMES[d])}</label></span>`,
  )}</fieldset>
<div class="grid">
<div>${field(`${p}callingFrom`, tr(L, "Ring från klockan", "Call from"), html`<input id="${p}callingFrom" name="callingFrom" type="time" value="${boxes.from}">`)}</div>
<div>${field(`${p}callingTo`, tr(L, "Ring till klockan", "Call until"), html`<input id="${p}callingTo" name="callingTo" type="time" value="${boxes.to === "24:00" ? "00:00" : boxes.to}" aria-describedby="${p}callingTo-hint">`, tr(L, "00:00 betyder midnatt.", "00:00 means midnight."))}</div>
</div>
<p><input type="checkbox" id="${p}skipPublicHolidays" name="skipPublicHolidays"${s.skipPublicHolidays ? html` checked` : ""}> <label for="${p}skipPublicHolidays" class="inline-label">${tr(L, "Ring inte på helgdagar", "Do not call on public holidays")}</label></p>
<details${simple ? "" : html` open`}><summary>${tr(L, "Flera tidsfönster (som text)", "Several windows (as text)")}</summary>
${field(`${p}callingHours`, tr(L, "Tider som text", "Hours as text"), html`<input id="${p}callingHours" name="callingHours" value="${simple ? "" : s.callingHours}" aria-describedby="${p}callingHours-hint">`, tr(L, "T.ex. mån-fre 08:00-20:00, lör 10:00-14:00. Lämna tomt för att använda rutorna ovan; ifyllt gäller texten.", "E.g. mon-fri 08:00-20:00, sat 10:00-14:00. Leave empty to use the boxes above; when filled in, the text applies."))}
</details>
<h3>${tr(L, "Nästa tider då vi ringer", "Next calling windows")}</h3>
${preview.length ? html`<ul class="preview" id="${p}calling-preview">${preview.map((w) => html`<li>${when.format(w.start)} ${time.format(w.start)}–${end(w.end)}</li>`)}</ul>` : html`<p id="${p}calling-preview">${tr(L, "Inga tider de närmaste 60 dagarna.", "No windows in the next 60 days.")}</p>`}
<p class="hint">${tr(L, "Förhandsvisningen visar sparade inställningar.", "The preview shows the saved settings.")}</p>
</fieldset>`;
}

export function settingsForm(
  s: OrgSettings,
  csrf: string,
  lang: Lang,
  questionKeys: string[],
  preview: CallingWindow[] = [],
  timeZone = "Europe/Stockholm",
): Html {
  const nki = s.nkiDefinition.kind === "question" ? s.nkiDefinition.questionKey : "all-questions";
  const keys = [...new Set([...QUESTION_ORDER.filter((k) => k !== "overall"), ...questionKeys])];
  const L = lang;
  return html`<form method="post" action="/admin/settings" class="card">${csrfField(csrf)}
<h2>${tr(L, "Urval och uppringning", "Sampling and calling")}</h2>
${field("samplePercent", tr(L, "Andel av samtalen som får en enkät (%)", "Share of calls that get a survey (%)"), html`<input id="samplePercent" name="samplePercent" type="number" min="0" max="100" step="0.1" required value="${fmt("en", s.sampleRate * 100, 1).replace(/,/g, "")}" aria-describedby="samplePercent-hint">`, tr(L, "0–100. Gäller alla svarsgrupper som inte har ett eget värde.", "0–100. Applies to every svarsgrupp without its own value."))}
${callingHoursFields(s, L, preview, timeZone)}
${field("surveyDelaySeconds", tr(L, "Fördröjning efter samtalet (sekunder)", "Delay after the call (seconds)"), html`<input id="surveyDelaySeconds" name="surveyDelaySeconds" type="number" min="0" max="86400" required value="${s.surveyDelaySeconds}">`)}
${field("privacyInfo", tr(L, "Var medborgaren läser mer om inspelningen", "Where the citizen reads more about the recording"), html`<input id="privacyInfo" name="privacyInfo" maxlength="200" value="${s.privacyInfo}" aria-describedby="privacyInfo-hint">`, tr(L, "Läses upp före röstmeddelandet, t.ex. kommunen.se/personuppgifter. Tomt: ”kommunens webbplats”.", "Read out before the voice message, e.g. kommunen.se/personuppgifter. Empty: “the municipality's website”."))}
<h2>${tr(L, "Resultat", "Results")}</h2>
${field("minAnswersForResult", tr(L, "Minsta antal svar för att visa ett resultat", "Fewest answers before a result is shown"), html`<input id="minAnswersForResult" name="minAnswersForResult" type="number" min="1" max="10000" required value="${s.minAnswersForResult}">`)}
${field(
  "nkiQuestion",
  tr(L, "NKI totalt beräknas som", "Overall NKI is computed as"),
  html`<select id="nkiQuestion" name="nkiQuestion"><option value="all-questions"${nki === "all-questions" ? html` selected` : ""}>${tr(L, "Medel över alla besvarade frågor", "Mean over all answered questions")}</option>${keys.map(
    (k) => html`<option value="${k}"${nki === k ? html` selected` : ""}>${questionLabel(k, L)}</option>`,
  )}</select>`,
)}
<p><input type="checkbox" id="nkiIncludeRecommend" name="nkiIncludeRecommend"${s.nkiDefinition.kind === "all-questions" && s.nkiDefinition.exclude.length === 0 ? html` checked` : ""} aria-describedby="nkiIncludeRecommend-hint"> <label for="nkiIncludeRecommend" class="inline-label">${tr(L, "Räkna med fråga 7 (rekommendera kommunen) i NKI totalt", "Count question 7 (recommend the municipality) in overall NKI")}</label></p>
<p class="hint" id="nkiIncludeRecommend-hint">${tr(L, "Frågan handlar inte om samtalet och räknas därför inte med som standard. Den ställs ändå och visas som egen fråga.", "The question is not about the call, so it is left out by default. It is still asked and shown on its own.")}</p>
${field("audioRetentionDaysAfterReview", tr(L, "Radera röstmeddelanden så här många dagar efter granskning", "Delete voice messages this many days after review"), html`<input id="audioRetentionDaysAfterReview" name="audioRetentionDaysAfterReview" type="number" min="1" max="3650" required value="${s.audioRetentionDaysAfterReview}">`)}
<p><button type="submit">${tr(L, "Spara inställningar", "Save settings")}</button></p>
</form>`;
}

export interface GroupRow {
  id: string;
  key: string;
  name: string;
  settings: { sampleRate?: number; callingHours?: string; skipPublicHolidays?: boolean };
  /** The next calling windows with the group's own hours, or the organization's. */
  preview?: CallingWindow[];
}

/** A group's calling hours: the organization's, or its own in the same editor. */
function groupCallingHours(g: GroupRow, org: OrgSettings, L: Lang, timeZone: string): Html {
  const own = g.settings.callingHours !== undefined || g.settings.skipPublicHolidays !== undefined;
  const p = `g-${g.id}-`;
  const mode = (value: "org" | "own", label: string) =>
    html`<label class="inline-label radio"><input type="radio" name="callingMode" value="${value}"${own === (value === "own") ? html` checked` : ""}> ${label}</label>`;
  return html`<fieldset class="calling-mode"><legend>${tr(L, "Tider då gruppens samtal rings upp", "When the group's calls are called back")}</legend>
<p>${mode("org", tr(L, "Samma som organisationen", "As the organization"))} ${mode("own", tr(L, "Egna tider (nedan)", "Own hours (below)"))}</p>
${callingHoursFields(
  {
    callingHours: g.settings.callingHours ?? org.callingHours,
    skipPublicHolidays: g.settings.skipPublicHolidays ?? org.skipPublicHolidays,
  },
  L,
  g.preview ?? [],
  timeZone,
  p,
)}
</fieldset>`;
}

export function groupsTable(
  groups: GroupRow[],
  csrf: string,
  lang: Lang,
  org: { settings: OrgSettings; timeZone: string },
): Html {
  const L = lang;
  if (!groups.length)
    return html`<p>${tr(L, "Inga svarsgrupper ännu. De registreras när telefonisystemet rapporterar det första samtalet.", "No svarsgrupper yet. They are registered when the telephony system reports the first call.")}</p>`;
  return html`${groups.map(
    (g) => html`<form method="post" action="/admin/groups/${g.id}" class="card">${csrfField(csrf)}
<h3>${g.name} <span class="muted">(${g.key})</span></h3>
<div class="grid">
<div>${field(`name-${g.id}`, tr(L, "Namn", "Name"), html`<input id="name-${g.id}" name="name" required value="${g.name}">`)}</div>
<div>${field(`sp-${g.id}`, tr(L, "Egen urvalsandel (%)", "Own sampling share (%)"), html`<input id="sp-${g.id}" name="samplePercent" type="number" min="0" max="100" step="0.1" value="${g.settings.sampleRate === undefined ? "" : Math.round(g.settings.sampleRate * 1000) / 10}" placeholder="${tr(L, "som organisationen", "as the organization")}">`)}</div>
</div>
${groupCallingHours(g, org.settings, L, org.timeZone)}
<p><button type="submit" class="secondary">${tr(L, "Spara", "Save")} ${g.name}</button></p>
</form>`,
  )}`;
}
