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
  validFrom: Date;
}

export function targetsPage(targets: TargetRow[], csrf: string, lang: Lang, today: string): Html {
  const L = lang;
  const rows = targets.map(
    (
      t,
    ) => html`<tr><td>${questionLabel(t.questionKey, L)}</td><td>${t.metric === "mean" ? tr(L, "Medelvärde", "Mean") : tr(L, "Andel nöjda (4–5)", "Satisfied share (4–5)")}</td>
<td class="num">${t.metric === "mean" ? `≥ ${fmt(L, t.threshold)}` : `≥ ${fmt(L, t.threshold * 100, 0)} %`}</td><td>${t.validFrom.toISOString().slice(0, 10)}</td>
<td><form method="post" action="/admin/targets/${t.id}/delete" class="inline">${csrfField(csrf)}<button type="submit" class="secondary" aria-label="${tr(L, "Ta bort mål", "Delete target")} ${questionLabel(t.questionKey, L)} ${t.validFrom.toISOString().slice(0, 10)}">${tr(L, "Ta bort", "Delete")}</button></form></td></tr>`,
  );
  return html`<div class="table-wrap" tabindex="0"><table><caption>${tr(L, "Mål per fråga. Ett mål gäller från sitt datum tills nästa mål för samma fråga och mått.", "Targets per question. A target applies from its date until the next one for the same question and metric.")}</caption>
<thead><tr><th scope="col">${tr(L, "Fråga", "Question")}</th><th scope="col">${tr(L, "Mått", "Metric")}</th><th scope="col" class="num">${tr(L, "Mål", "Target")}</th><th scope="col">${tr(L, "Gäller från", "Valid from")}</th><th scope="col"><span class="visually-hidden">${tr(L, "Åtgärd", "Action")}</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="5">${tr(L, "Inga mål ännu.", "No targets yet.")}</td></tr>`}</tbody></table></div>
<form method="post" action="/admin/targets" class="card">${csrfField(csrf)}
<h2>${tr(L, "Nytt mål", "New target")}</h2>
<div class="grid">
<div><label for="t-q">${tr(L, "Fråga", "Question")}</label><select id="t-q" name="questionKey">${QUESTION_ORDER.map((k) => html`<option value="${k}">${questionLabel(k, L)}</option>`)}</select></div>
<div><label for="t-m">${tr(L, "Mått", "Metric")}</label><select id="t-m" name="metric"><option value="mean">${tr(L, "Medelvärde (1–5)", "Mean (1–5)")}</option><option value="satisfiedShare">${tr(L, "Andel nöjda (%)", "Satisfied share (%)")}</option></select></div>
<div><label for="t-t">${tr(L, "Gräns", "Threshold")}</label><input id="t-t" name="threshold" type="number" step="0.01" min="0" max="100" required placeholder="4.3 / 75"></div>
<div><label for="t-d">${tr(L, "Gäller från", "Valid from")}</label><input id="t-d" name="validFrom" type="date" required value="${today}"></div>
</div>
<p><button type="submit">${tr(L, "Lägg till mål", "Add target")}</button></p>
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
