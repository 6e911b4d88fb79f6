import { toSimple, WEEKDAYS, type CallingWindow } from "../../intake/calling-hours-form.js";
import type { OrgSettings } from "../../organizations/settings.js";
import { html, type Html } from "../html.js";
import { fmt, msg, type Lang } from "../i18n.js";
import { questionLabel, QUESTION_ORDER } from "../questions.js";

/** Sub-navigation and flash messages shared by the admin pages. */
export function adminTabs(active: string, lang: Lang): Html {
  const tabs = [
    ["settings", "/admin", msg(lang).admin.settingsAndGroups],
    ["targets", "/admin/targets", msg(lang).admin.targets],
    ["users", "/admin/users", msg(lang).admin.users],
    ["groups", "/admin/groups", msg(lang).admin.svarsgrupper],
    ["api-keys", "/admin/api-keys", msg(lang).admin.apiKeys],
    ["flows", "/admin/flows", msg(lang).admin.surveyFlows],
    ["audit", "/admin/audit", msg(lang).admin.auditLog],
  ];
  return html`<nav class="tabs" aria-label="${msg(lang).admin.administration}">${tabs.map(
    ([k, href, label]) => html`<a href="${href}"${k === active ? html` aria-current="page"` : ""}>${label}</a>`,
  )}</nav>`;
}

export function flash(lang: Lang, o: { saved?: boolean; error?: string }): Html {
  if (o.error) return html`<p class="error" role="alert">${o.error}</p>`;
  if (o.saved) return html`<p class="notice" role="status">${msg(lang).admin.saved}</p>`;
  return html``;
}

const csrfField = (t: string) => html`<input type="hidden" name="_csrf" value="${t}">`;

function field(id: string, label: string, input: Html, hint?: string): Html {
  return html`<label for="${id}">${label}</label>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ""}${input}`;
}

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
  return html`<fieldset class="calling-hours"><legend>${msg(L).admin.callingHours}</legend>
<fieldset class="days"><legend>${msg(L).admin.callingDays}</legend>${WEEKDAYS.map(
    (d) =>
      html`<span class="day"><input type="checkbox" id="${p}day-${d}" name="callingDays" value="${d}"${boxes.days.includes(d) ? html` checked` : ""}> <label for="${p}day-${d}" class="inline-label">${msg(L).admin.weekdays[d]}</label></span>`,
  )}</fieldset>
<div class="grid">
<div>${field(`${p}callingFrom`, msg(L).admin.callFrom, html`<input id="${p}callingFrom" name="callingFrom" type="time" value="${boxes.from}">`)}</div>
<div>${field(`${p}callingTo`, msg(L).admin.callUntil, html`<input id="${p}callingTo" name="callingTo" type="time" value="${boxes.to === "24:00" ? "00:00" : boxes.to}" aria-describedby="${p}callingTo-hint">`, msg(L).admin.n0000MeansMidnight)}</div>
</div>
<p><input type="checkbox" id="${p}skipPublicHolidays" name="skipPublicHolidays"${s.skipPublicHolidays ? html` checked` : ""}> <label for="${p}skipPublicHolidays" class="inline-label">${msg(L).admin.doNotCallOn}</label></p>
<details${simple ? "" : html` open`}><summary>${msg(L).admin.severalWindowsAsText}</summary>
${field(`${p}callingHours`, msg(L).admin.hoursAsText, html`<input id="${p}callingHours" name="callingHours" value="${simple ? "" : s.callingHours}" aria-describedby="${p}callingHours-hint">`, msg(L).admin.eGMonFri)}
</details>
<h3>${msg(L).admin.nextCallingWindows}</h3>
${preview.length ? html`<ul class="preview" id="${p}calling-preview">${preview.map((w) => html`<li>${when.format(w.start)} ${time.format(w.start)}–${end(w.end)}</li>`)}</ul>` : html`<p id="${p}calling-preview">${msg(L).admin.noWindowsInNext}</p>`}
<p class="hint">${msg(L).admin.previewShowsSavedSettings}</p>
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
<h2>${msg(L).admin.samplingAndCalling}</h2>
${field("samplePercent", msg(L).admin.shareOfCallsThat, html`<input id="samplePercent" name="samplePercent" type="number" min="0" max="100" step="0.1" required value="${fmt("en", s.sampleRate * 100, 1).replace(/,/g, "")}" aria-describedby="samplePercent-hint">`, msg(L).admin.n0100AppliesTo)}
${callingHoursFields(s, L, preview, timeZone)}
${field("surveyDelaySeconds", msg(L).admin.delayAfterCallSeconds, html`<input id="surveyDelaySeconds" name="surveyDelaySeconds" type="number" min="0" max="86400" required value="${s.surveyDelaySeconds}">`)}
${field("privacyInfo", msg(L).admin.whereCitizenReadsMore, html`<input id="privacyInfo" name="privacyInfo" maxlength="200" value="${s.privacyInfo}" aria-describedby="privacyInfo-hint">`, msg(L).admin.readOutBeforeVoice)}
<h2>${msg(L).admin.results}</h2>
${field("minAnswersForResult", msg(L).admin.fewestAnswersBeforeResult, html`<input id="minAnswersForResult" name="minAnswersForResult" type="number" min="1" max="10000" required value="${s.minAnswersForResult}">`)}
${field(
  "nkiQuestion",
  msg(L).admin.overallNkiIsComputed,
  html`<select id="nkiQuestion" name="nkiQuestion"><option value="all-questions"${nki === "all-questions" ? html` selected` : ""}>${msg(L).admin.meanOverAllAnswered}</option>${keys.map(
    (k) => html`<option value="${k}"${nki === k ? html` selected` : ""}>${questionLabel(k, L)}</option>`,
  )}</select>`,
)}
<p><input type="checkbox" id="nkiIncludeRecommend" name="nkiIncludeRecommend"${s.nkiDefinition.kind === "all-questions" && s.nkiDefinition.exclude.length === 0 ? html` checked` : ""} aria-describedby="nkiIncludeRecommend-hint"> <label for="nkiIncludeRecommend" class="inline-label">${msg(L).admin.countQuestion7Recommend}</label></p>
<p class="hint" id="nkiIncludeRecommend-hint">${msg(L).admin.questionIsNotAbout}</p>
${field("audioRetentionDaysAfterReview", msg(L).admin.deleteVoiceMessagesThis, html`<input id="audioRetentionDaysAfterReview" name="audioRetentionDaysAfterReview" type="number" min="1" max="3650" required value="${s.audioRetentionDaysAfterReview}">`)}
<p><button type="submit">${msg(L).admin.saveSettings}</button></p>
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
  return html`<fieldset class="calling-mode"><legend>${msg(L).admin.groupCallingHours}</legend>
<p>${mode("org", msg(L).admin.sameAsOrganization)} ${mode("own", msg(L).admin.ownHoursBelow)}</p>
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
  if (!groups.length) return html`<p>${msg(L).admin.noSvarsgrupperYetThey}</p>`;
  return html`${groups.map(
    (g) => html`<form method="post" action="/admin/groups/${g.id}" class="card">${csrfField(csrf)}
<h3>${g.name} <span class="muted">(${g.key})</span></h3>
<div class="grid">
<div>${field(`name-${g.id}`, msg(L).admin.name, html`<input id="name-${g.id}" name="name" required value="${g.name}">`)}</div>
<div>${field(`sp-${g.id}`, msg(L).admin.ownSamplingShare, html`<input id="sp-${g.id}" name="samplePercent" type="number" min="0" max="100" step="0.1" value="${g.settings.sampleRate === undefined ? "" : Math.round(g.settings.sampleRate * 1000) / 10}" placeholder="${msg(L).admin.asOrganization}">`)}</div>
</div>
${groupCallingHours(g, org.settings, L, org.timeZone)}
<p><button type="submit" class="secondary">${msg(L).admin.save} ${g.name}</button></p>
</form>`,
  )}`;
}
