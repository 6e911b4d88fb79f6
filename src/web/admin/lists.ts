import type { AuditRow } from "../../audit/log.js";
import { auditDetailText, auditEventName, auditTargetName } from "../../audit/event-names.js";
import { html, type Html } from "../html.js";
import { fmt, msg, type Lang } from "../i18n.js";
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
  const unit = t.metric === "mean" ? "" : "\u00a0%";
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
    current: html`<span class="badge ok">${msg(L).admin.inForce}</span>`,
    coming: html`<span class="badge">${msg(L).admin.upcoming}</span>`,
    earlier: html`<span class="muted">${msg(L).admin.earlier}</span>`,
  };
  const rows = withState(targets, today).map(({ t, state }) => {
    const day = t.validFrom.toISOString().slice(0, 10);
    return html`<tr${state === "earlier" ? html` class="history"` : ""}><td>${questionLabel(t.questionKey, L)}</td><td>${t.metric === "mean" ? msg(L).admin.mean : msg(L).admin.satisfiedShare45}</td>
<td class="num">${targetText(L, t)}</td><td>${day}</td><td>${stateText[state]}</td>
<td><form method="post" action="/admin/targets/${t.id}/delete" class="inline">${csrfField(csrf)}<button type="submit" class="secondary" aria-label="${msg(L).admin.deleteTarget} ${questionLabel(t.questionKey, L)} ${day}">${msg(L).admin.delete}</button></form></td></tr>`;
  });
  return html`<div class="table-wrap" tabindex="0"><table><caption>${msg(L).admin.targetsPerQuestionWith}</caption>
<thead><tr><th scope="col">${msg(L).admin.question}</th><th scope="col">${msg(L).admin.metric}</th><th scope="col" class="num">${msg(L).admin.target}</th><th scope="col">${msg(L).admin.validFrom}</th><th scope="col">${msg(L).admin.status}</th><th scope="col"><span class="visually-hidden">${msg(L).admin.action}</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6">${msg(L).admin.noTargetsYet}</td></tr>`}</tbody></table></div>
<form method="post" action="/admin/targets" class="card" novalidate>${csrfField(csrf)}
<h2>${msg(L).admin.newOrChangedTarget}</h2>
<p class="hint" id="t-hint">${msg(L).admin.meansOn15}</p>
<div class="grid">
<div><label for="t-q">${msg(L).admin.question}</label><select id="t-q" name="questionKey">${QUESTION_ORDER.map((k) => html`<option value="${k}">${questionLabel(k, L)}</option>`)}</select></div>
<div><label for="t-m">${msg(L).admin.metric}</label><select id="t-m" name="metric"><option value="mean">${msg(L).admin.mean15}</option><option value="satisfiedShare">${msg(L).admin.satisfiedShare}</option></select></div>
<div><label for="t-lo">${msg(L).admin.lowestValue}</label><input id="t-lo" name="lower" inputmode="decimal" required autocomplete="off" aria-describedby="t-hint" placeholder="4,3 / 75"></div>
<div><label for="t-hi">${msg(L).admin.highestValueOptional}</label><input id="t-hi" name="upper" inputmode="decimal" autocomplete="off" aria-describedby="t-hint" placeholder="80"></div>
<div><label for="t-d">${msg(L).admin.validFrom}</label><input id="t-d" name="validFrom" type="date" required value="${today}"></div>
</div>
<p><button type="submit">${msg(L).admin.saveTarget}</button></p>
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
      html`<tr><td>${when.format(r.at)}</td><td>${r.actor ?? "–"}</td><td>${auditEventName(r.action, L)}</td><td>${r.targetType ? auditTargetName(r.targetType, L) : ""} ${r.targetId ? html`<code class="muted">${r.targetId.slice(0, 8)}</code>` : ""}</td><td>${r.detail ? auditDetailText(r.detail as Record<string, unknown>, L).slice(0, 300) : ""}</td></tr>`,
  );
  const older = rows.length
    ? html`<p><a href="/admin/audit?before=${encodeURIComponent(rows[rows.length - 1].at.toISOString())}">${msg(L).admin.olderEvents}</a></p>`
    : "";
  return html`<div class="table-wrap" tabindex="0"><table><caption>${msg(L).admin.whoDidWhatAnd}</caption>
<thead><tr><th scope="col">${msg(L).admin.time}</th><th scope="col">${msg(L).admin.who}</th><th scope="col">${msg(L).admin.event}</th><th scope="col">${msg(L).admin.object}</th><th scope="col">${msg(L).admin.details}</th></tr></thead>
<tbody>${body.length ? body : html`<tr><td colspan="5">${msg(L).admin.noEvents}</td></tr>`}</tbody></table></div>${older}`;
}
