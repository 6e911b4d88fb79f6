import type { AuditRow } from "../../audit/log.js";
import { auditEventName } from "../../audit/event-names.js";
import { html, type Html } from "../html.js";
import { fmt, tr, type Lang } from "../i18n.js";
import { questionLabel, QUESTION_ORDER } from "../questions.js";

const csrfField = (t: string) => html`<input type="hidden" name="_csrf" value="${t}">`;

export interface TargetRow {
  id: string;
  questionKey: string;
  metric: string;
  threshold: number;
  upper: number | null;
  validFrom: Date;
}

/** "≥ 4,30", "75–80 %", "≥ 80 %": a target as the enhetschef typed it. */
export function targetText(L: Lang, t: { metric: string; threshold: number; upper: number | null }): string {
  const v = (x: number) => (t.metric === "mean" ? fmt(L, x) : fmt(L, x * 100, x * 100 === Math.round(x * 100) ? 0 : 1));
  const unit = t.metric === "mean" ? "" : " %";
  return t.upper === null ? `≥ ${v(t.threshold)}${unit}` : `${v(t.threshold)}–${v(t.upper)}${unit}`;
}

type TargetState = "current" | "coming" | "earlier";

/** Per question and metric, newest first: the one in force today, later ones coming, older ones history. */
function withState(targets: TargetRow[], today: string): { t: TargetRow; state: TargetState }[] {
  const seenCurrent = new Set<string>();
  const sorted = [...targets].sort(
    (a, b) =>
      QUESTION_ORDER.indexOf(a.questionKey) - QUESTION_ORDER.indexOf(b.questionKey) ||
      a.metric.localeCompare(b.metric) ||
      b.validFrom.getTime() - a.validFrom.getTime(),
  );
  return sorted.map((t) => {
    const key = `${t.questionKey}/${t.metric}`;
    const day = t.validFrom.toISOString().slice(0, 10);
    if (day > today) return { t, state: "coming" };
    if (seenCurrent.has(key)) return { t, state: "earlier" };
    seenCurrent.add(key);
    return { t, state: "current" };
  });
}

export function targetsPage(targets: TargetRow[], csrf: string, lang: Lang, today: string): Html {
  const L = lang;
  const stateText: Record<TargetState, Html> = {
    current: html`<span class="badge ok">${tr(L, "Gäller nu", "In force")}</span>`,
    coming: html`<span class="badge">${tr(L, "Kommande", "Upcoming")}</span>`,
    earlier: html`<span class="muted">${tr(L, "Tidigare", "Earlier")}</span>`,
  };
  const rows = withState(targets, today).map(({ t, state }) => {
    const day = t.validFrom.toISOString().slice(0, 10);
    return html`<tr${state === "earlier" ? html` class="history"` : ""}><td>${questionLabel(t.questionKey, L)}</td><td>${t.metric === "mean" ? tr(L, "Medelvärde", "Mean") : tr(L, "Andel nöjda (4–5)", "Satisfied share (4–5)")}</td>
<td class="num">${targetText(L, t)}</td><td>${day}</td><td>${stateText[state]}</td>
<td><form method="post" action="/admin/targets/${t.id}/delete" class="inline">${csrfField(csrf)}<button type="submit" class="secondary" aria-label="${tr(L, "Ta bort mål", "Delete target")} ${questionLabel(t.questionKey, L)} ${day}">${tr(L, "Ta bort", "Delete")}</button></form></td></tr>`;
  });
  return html`<div class="table-wrap" tabindex="0"><table><caption>${tr(L, "Mål per fråga med historik. Ett mål gäller från sitt datum tills nästa mål för samma fråga och mått; tidigare perioder behåller målet de hade.", "Targets per question with history. A target applies from its date until the next one for the same question and metric; earlier periods keep the target they had.")}</caption>
<thead><tr><th scope="col">${tr(L, "Fråga", "Question")}</th><th scope="col">${tr(L, "Mått", "Metric")}</th><th scope="col" class="num">${tr(L, "Mål", "Target")}</th><th scope="col">${tr(L, "Gäller från", "Valid from")}</th><th scope="col">${tr(L, "Status", "Status")}</th><th scope="col"><span class="visually-hidden">${tr(L, "Åtgärd", "Action")}</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6">${tr(L, "Inga mål ännu.", "No targets yet.")}</td></tr>`}</tbody></table></div>
<form method="post" action="/admin/targets" class="card" novalidate>${csrfField(csrf)}
<h2>${tr(L, "Nytt eller ändrat mål", "New or changed target")}</h2>
<p class="hint" id="t-hint">${tr(L, "Medelvärden på skalan 1–5 med komma eller punkt (4,3). Andelar i procent (75). Fyll i högsta värde för ett intervall, t.ex. 75–80 %. Ett ändrat mål gäller från det datum du anger.", "Means on the 1–5 scale with a comma or point (4.3). Shares in percent (75). Fill in the highest value for a band, e.g. 75–80 %. A changed target applies from the date you give.")}</p>
<div class="grid">
<div><label for="t-q">${tr(L, "Fråga", "Question")}</label><select id="t-q" name="questionKey">${QUESTION_ORDER.map((k) => html`<option value="${k}">${questionLabel(k, L)}</option>`)}</select></div>
<div><label for="t-m">${tr(L, "Mått", "Metric")}</label><select id="t-m" name="metric"><option value="mean">${tr(L, "Medelvärde (1–5)", "Mean (1–5)")}</option><option value="satisfiedShare">${tr(L, "Andel nöjda (%)", "Satisfied share (%)")}</option></select></div>
<div><label for="t-lo">${tr(L, "Lägsta värde", "Lowest value")}</label><input id="t-lo" name="lower" inputmode="decimal" required autocomplete="off" aria-describedby="t-hint" placeholder="4,3 / 75"></div>
<div><label for="t-hi">${tr(L, "Högsta värde (valfritt)", "Highest value (optional)")}</label><input id="t-hi" name="upper" inputmode="decimal" autocomplete="off" aria-describedby="t-hint" placeholder="80"></div>
<div><label for="t-d">${tr(L, "Gäller från", "Valid from")}</label><input id="t-d" name="validFrom" type="date" required value="${today}"></div>
</div>
<p><button type="submit">${tr(L, "Spara mål", "Save target")}</button></p>
</form>`;
}

export function auditPage(rows: AuditRow[], lang: Lang, timeZone: string): Html {
  const L = lang;
  const when = new Intl.DateTimeFormat(L === "en" ? "en-GB" : "sv-SE", {
    timeZone,
    dateStyle: "short",
    timeStyle: "medium",
  });
  const body = rows.map(
    (r) =>
      html`<tr><td>${when.format(r.at)}</td><td>${r.actor ?? "–"}</td><td>${auditEventName(r.action, L)}</td><td>${r.targetType ?? ""} ${r.targetId ? html`<span class="muted">${r.targetId.slice(0, 8)}</span>` : ""}</td><td><code>${r.detail ? JSON.stringify(r.detail).slice(0, 200) : ""}</code></td></tr>`,
  );
  const older = rows.length
    ? html`<p><a href="/admin/audit?before=${encodeURIComponent(rows[rows.length - 1].at.toISOString())}">${tr(L, "Äldre händelser", "Older events")}</a></p>`
    : "";
  return html`<div class="table-wrap" tabindex="0"><table><caption>${tr(L, "Vem gjorde vad och när: inloggningar, uppspelningar, granskningar och ändringar.", "Who did what and when: sign-ins, playbacks, reviews and changes.")}</caption>
<thead><tr><th scope="col">${tr(L, "Tid", "Time")}</th><th scope="col">${tr(L, "Vem", "Who")}</th><th scope="col">${tr(L, "Händelse", "Event")}</th><th scope="col">${tr(L, "Objekt", "Object")}</th><th scope="col">${tr(L, "Detaljer", "Details")}</th></tr></thead>
<tbody>${body.length ? body : html`<tr><td colspan="5">${tr(L, "Inga händelser.", "No events.")}</td></tr>`}</tbody></table></div>${older}`;
}
