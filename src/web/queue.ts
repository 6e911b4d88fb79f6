import type { QueueItem, WeekQueue } from "../review/service.js";
import { CLASSIFICATIONS, parseIsoWeek, weekOf } from "../review/rules.js";
import { esc, type Lang } from "./i18n.js";
import { QUESTION_ORDER, queueText, type QueueText } from "./queueText.js";

export interface QueuePageInput {
  q: WeekQueue;
  lang: Lang;
  csrfToken: string;
  /** Field error after a form post without JavaScript: which message, which field. */
  error?: { messageId: string; field: string };
}

/**
 * The body of /queue: week navigation, the week's counts, and one card per
 * voice message with its player and review form. Server-rendered and paged
 * (50 per page) so 2,000 messages a week stay quick; queue.client.js adds
 * shortcuts and saving without reload, the forms work without it.
 */
export function renderQueueBody(i: QueuePageInput): string {
  const t = queueText(i.lang);
  const w = parseIsoWeek(i.q.week)!;
  const fmt = formatters(i.lang, i.q.timeZone);
  const texts = {
    saved: t.saved,
    failed: t.saveFailed,
    reviewed: t.reviewedBadge,
    unreviewed: t.unreviewedBadge,
    needsRegistration: t.needsRegistration,
    errors: t.errors,
  };
  return `<div class="queue" id="queue" data-csrf="${esc(i.csrfToken)}" data-text="${esc(JSON.stringify(texts))}">
<h1>${esc(t.title)}: ${esc(t.week(w.week, w.year))}</h1>
<p class="lead">${esc(t.lead)}</p>
${weekNav(i.q, t)}
${counts(i.q, t)}
<details class="shortcuts"><summary>${esc(t.shortcuts)}</summary><dl>${t.shortcutList
    .map(([k, d]) => `<dt><kbd>${esc(k)}</kbd></dt><dd>${esc(d)}</dd>`)
    .join("")}</dl></details>
<p id="queue-status" class="live" role="status" aria-live="polite"></p>
<datalist id="forvaltningar">${i.q.forvaltningar.map((f) => `<option value="${esc(f)}"></option>`).join("")}</datalist>
<h2 id="messages-h">${esc(t.messages)} <span class="muted">(${i.q.totalItems})</span></h2>
${i.q.items.length === 0 ? `<p>${esc(t.empty)}</p>` : `<ol class="vm-list" aria-labelledby="messages-h" start="${(i.q.page - 1) * i.q.pageSize + 1}">${i.q.items.map((m) => `<li>${card(m, i, t, fmt)}</li>`).join("\n")}</ol>`}
${pager(i.q, t)}
</div>`;
}

function formatters(lang: Lang, timeZone: string) {
  const locale = lang === "en" ? "en-GB" : "sv-SE";
  const when = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const day = new Intl.DateTimeFormat(locale, { timeZone, year: "numeric", month: "short", day: "numeric" });
  return { when: (d: Date) => when.format(d), day: (d: Date) => day.format(d) };
}

const weekHref = (week: string, page?: number) =>
  `/queue?week=${encodeURIComponent(week)}${page && page > 1 ? `&page=${page}` : ""}`;
const weekNo = (week: string) => parseIsoWeek(week)!.week;

function weekNav(q: WeekQueue, t: QueueText): string {
  const links = [
    `<a href="${weekHref(q.previousWeek)}" rel="prev">← ${esc(t.prevWeek)} (${esc(t.weekShort(weekNo(q.previousWeek)))})</a>`,
    q.nextWeek
      ? `<a href="${weekHref(q.nextWeek)}" rel="next">${esc(t.nextWeek)} (${esc(t.weekShort(weekNo(q.nextWeek)))}) →</a>`
      : "",
    q.isCurrentWeek ? "" : `<a href="/queue">${esc(t.thisWeek)}</a>`,
  ].filter(Boolean);
  return `<nav class="tabs week-nav" aria-label="${esc(t.weekCol)}">${links.join("")}</nav>`;
}

function counts(q: WeekQueue, t: QueueText): string {
  const kpi = (label: string, v: number, key = "") =>
    `<div class="kpi"><div class="sub">${esc(label)}</div><div class="value"${key ? ` data-count="${key}"` : ""}>${v}</div></div>`;
  const byClass = CLASSIFICATIONS.map(
    (c) => `<li>${esc(t.classes[c])}: <strong>${q.counts.byClassification[c] ?? 0}</strong></li>`,
  ).join("");
  const perWeek = q.recentWeeks
    .map(
      (r) =>
        `<tr${r.week === q.week ? ' aria-current="true"' : ""}><th scope="row"><a href="${weekHref(r.week)}">${esc(r.week)}</a></th><td class="num">${r.total}</td><td class="num">${r.unreviewed}</td></tr>`,
    )
    .join("");
  return `<section aria-labelledby="counts-h"><h2 id="counts-h">${esc(t.counts)}</h2>
<div class="grid">${kpi(t.total, q.counts.total)}${kpi(t.unreviewed, q.counts.unreviewed, "unreviewed")}${kpi(t.listened, q.counts.listened)}${q.isCurrentWeek ? kpi(t.carriedOver, q.counts.carriedOver, "carried") : ""}</div>
<ul class="class-counts">${byClass}</ul>
<details><summary>${esc(t.perWeek)}</summary><div class="table-wrap"><table><caption class="sr-only">${esc(t.perWeek)}</caption><thead><tr><th scope="col">${esc(t.weekCol)}</th><th scope="col" class="num">${esc(t.total)}</th><th scope="col" class="num">${esc(t.unreviewed)}</th></tr></thead><tbody>${perWeek}</tbody></table></div></details>
</section>`;
}

function scoreList(m: QueueItem, t: QueueText): string {
  const keys = Object.keys(m.scores).sort((a, b) => {
    const ia = QUESTION_ORDER.indexOf(a);
    const ib = QUESTION_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  if (keys.length === 0) return `<span class="muted">${esc(t.noScores)}</span>`;
  return `<ul class="scores">${keys.map((k) => `<li><span>${esc(t.questions[k] ?? k)}</span> <strong>${m.scores[k]}</strong></li>`).join("")}</ul>`;
}

const duration = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

function card(m: QueueItem, i: QueuePageInput, t: QueueText, fmt: ReturnType<typeof formatters>): string {
  const id = esc(m.id);
  const status = m.reviewed
    ? `<span class="badge ok">${esc(t.reviewedBadge)}</span>`
    : `<span class="badge bad">${esc(t.unreviewedBadge)}</span>`;
  const carried = m.carriedOver
    ? ` <span class="badge few">${esc(t.carriedBadge(t.weekShort(weekOf(m.recordedAt, i.q.timeZone).week)))}</span>`
    : "";
  const needsReg =
    m.needsRegistration && !m.registeredAt ? ` <span class="badge few">${esc(t.needsRegistration)}</span>` : "";
  const audio = m.audioAvailable
    ? `<audio controls preload="none" src="/queue/audio/${id}" aria-label="${esc(t.audio)} ${esc(fmt.when(m.recordedAt))}"></audio>`
    : `<p class="muted">${esc(t.audioPurged(m.audioPurgedAt ? fmt.day(m.audioPurgedAt) : "–"))}</p>`;
  const err = i.error?.messageId === m.id ? i.error.field : null;
  const errText = err ? (t.errors[err] ?? t.errors.generic) : "";
  const radios = [["", t.unclassified], ...CLASSIFICATIONS.map((c) => [c, t.classes[c]])]
    .map(
      ([v, label]) =>
        `<label class="radio"><input type="radio" name="classification" value="${v}"${(m.classification ?? "") === v ? " checked" : ""}> ${esc(label)}</label>`,
    )
    .join("");
  return `<article class="vm${m.reviewed ? " reviewed" : ""}" id="m-${id}" data-id="${id}"${m.carriedOver ? ' data-carried="1"' : ""} tabindex="-1" aria-labelledby="h-${id}">
<h3 id="h-${id}"><time datetime="${m.recordedAt.toISOString()}">${esc(fmt.when(m.recordedAt))}</time> · ${esc(m.groupName)}</h3>
<p class="status"><span class="review-status">${status}</span>${carried}<span class="reg-status">${needsReg}</span></p>
<dl class="meta"><div><dt>${esc(t.agent)}</dt><dd>${esc(m.agentName)}</dd></div><div><dt>${esc(t.duration)}</dt><dd>${duration(m.durationSeconds)}</dd></div><div class="wide"><dt>${esc(t.scores)}</dt><dd>${scoreList(m, t)}</dd></div></dl>
${audio}
<form method="post" action="/queue/messages/${id}" class="review">
<input type="hidden" name="_csrf" value="${esc(i.csrfToken)}"><input type="hidden" name="week" value="${esc(i.q.week)}"><input type="hidden" name="page" value="${i.q.page}">
<p class="error form-error"${err ? "" : " hidden"} id="err-${id}">${esc(errText)}</p>
<fieldset><legend>${esc(t.classification)}</legend><div class="radios">${radios}</div></fieldset>
<div class="fields">
<div><label for="fv-${id}">${esc(t.forvaltning)}</label><input id="fv-${id}" name="forvaltning" list="forvaltningar" maxlength="200" value="${esc(m.forvaltning)}" aria-describedby="fvh-${id}"><p class="hint" id="fvh-${id}">${esc(t.forvaltningHint)}</p></div>
<div><label for="cr-${id}">${esc(t.caseReference)}</label><input id="cr-${id}" name="caseReference" maxlength="100" value="${esc(m.caseReference)}" aria-describedby="crh-${id}${err === "caseReference" ? ` err-${id}` : ""}"${err === "caseReference" ? ' aria-invalid="true"' : ""}><p class="hint" id="crh-${id}">${esc(t.caseReferenceHint)}</p></div>
<div class="wide"><label for="nt-${id}">${esc(t.note)}</label><textarea id="nt-${id}" name="note" rows="2" maxlength="4000">${esc(m.note)}</textarea></div>
</div>
<div class="checks">
<input type="hidden" name="registered" value="0"><label class="check"><input type="checkbox" name="registered" value="1"${m.registeredAt ? " checked" : ""}> ${esc(t.registered)}</label>
<input type="hidden" name="listened" value="0"><label class="check"><input type="checkbox" name="listened" value="1"${m.listenedAt ? " checked" : ""}> ${esc(t.listenedBox)}</label>
</div>
<button type="submit">${esc(t.save)}</button>
</form>
</article>`;
}

function pager(q: WeekQueue, t: QueueText): string {
  if (q.pageCount <= 1) return "";
  const prev = q.page > 1 ? `<a href="${weekHref(q.week, q.page - 1)}" rel="prev">← ${esc(t.prevPage)}</a>` : "";
  const next =
    q.page < q.pageCount ? `<a href="${weekHref(q.week, q.page + 1)}" rel="next">${esc(t.nextPage)} →</a>` : "";
  return `<nav class="pager" aria-label="${esc(t.pages)}">${prev}<span>${esc(t.page(q.page, q.pageCount))}</span>${next}</nav>`;
}
