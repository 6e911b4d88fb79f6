import type { QueueItem, WeekQueue } from "./service.js";
import { CLASSIFICATIONS, needsRegistration, parseIsoWeek, weekOf } from "./rules.js";
import { html, joinHtml, type Html } from "../web/html.js";
import { int, type Lang } from "../web/i18n.js";
import { QUESTION_ORDER, queueText, type QueueText } from "./queue-text.js";

export interface QueuePageInput {
  q: WeekQueue;
  lang: Lang;
  csrfToken: string;
  /** Field error after a form post without JavaScript: which message, which field. */
  error?: { messageId: string; field: string };
  /** The transcript panel under each player (src/transcription), when there is one. */
  transcript?: (m: QueueItem) => Html;
}

/**
 * The body of /queue: week navigation, the week's counts, and one card per
 * voice message with its player and review form. Server-rendered and paged
 * (20 per page) so 2,000 messages a week stay quick; queue.client.js adds
 * shortcuts and saving without reload, the forms work without it.
 */
export function renderQueueBody(i: QueuePageInput): Html {
  const t = queueText(i.lang);
  const w = parseIsoWeek(i.q.week)!;
  const fmt = formatters(i.lang, i.q.timeZone);
  const texts = {
    saved: t.saved,
    failed: t.saveFailed,
    reviewed: t.reviewedBadge,
    unreviewed: t.unreviewedBadge,
    needsRegistration: t.needsRegistration,
    allDone: t.allDone,
    play: t.play,
    pause: t.pause,
    // Which categories need förvaltning, case reference and "registered": the rest hide those fields.
    registers: CLASSIFICATIONS.filter((c) => needsRegistration(c)),
    errors: t.errors,
  };
  return html`<div class="queue" id="queue" data-csrf="${i.csrfToken}" data-week="${i.q.week}" data-text="${JSON.stringify(texts)}">
<h1>${t.title}: ${t.week(w.week, w.year)}</h1>
<p class="lead">${t.lead}</p>
${weekNav(i.q, t)}
${counts(i.q, t, i.lang)}
<details class="shortcuts"><summary>${t.shortcuts}</summary><dl>${t.shortcutList.map(
    ([k, d]) => html`<dt><kbd>${k}</kbd></dt><dd>${d}</dd>`,
  )}</dl><p class="hint">${t.shortcutsNote}</p></details>
<p id="queue-status" class="live" role="status" aria-live="polite"></p>
<datalist id="forvaltningar">${i.q.forvaltningar.map((f) => html`<option value="${f}"></option>`)}</datalist>
<h2 id="messages-h">${t.messages} <span class="muted">(${int(i.lang, i.q.totalItems)})</span></h2>
${
  i.q.items.length === 0
    ? html`<p>${t.empty}</p>`
    : html`<ol class="vm-list" aria-labelledby="messages-h" start="${(i.q.page - 1) * i.q.pageSize + 1}">${joinHtml(
        i.q.items.map((m) => html`<li>${card(m, i, t, fmt)}</li>`),
        html`\n`,
      )}</ol>`
}
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

function weekNav(q: WeekQueue, t: QueueText): Html {
  const links = [
    html`<a href="${weekHref(q.previousWeek)}" rel="prev">← ${t.prevWeek} (${t.weekShort(weekNo(q.previousWeek))})</a>`,
    q.nextWeek
      ? html`<a href="${weekHref(q.nextWeek)}" rel="next">${t.nextWeek} (${t.weekShort(weekNo(q.nextWeek))}) →</a>`
      : "",
    q.isCurrentWeek ? "" : html`<a href="/queue">${t.thisWeek}</a>`,
    html`<a href="/queue/history?week=${encodeURIComponent(q.week)}">${t.history}</a>`,
  ].filter(Boolean);
  return html`<nav class="tabs week-nav" aria-label="${t.weekCol}">${links}</nav>`;
}

function counts(q: WeekQueue, t: QueueText, lang: Lang): Html {
  const kpi = (label: string, v: number, key = "") =>
    html`<div class="kpi"><div class="sub">${label}</div><div class="value"${key ? html` data-count="${key}"` : ""}>${int(lang, v)}</div></div>`;
  // data-count names the figure a save's answer updates (queue.client.js), so none goes stale.
  const byClass = CLASSIFICATIONS.map(
    (c) =>
      html`<li>${t.classes[c]}: <strong data-count="class-${c}">${int(lang, q.counts.byClassification[c] ?? 0)}</strong></li>`,
  );
  const perWeek = q.recentWeeks.map(
    (r) =>
      html`<tr${r.week === q.week ? html` aria-current="true"` : ""}><th scope="row"><a href="${weekHref(r.week)}">${r.week}</a></th><td class="num">${int(lang, r.total)}</td><td class="num">${int(lang, r.unreviewed)}</td></tr>`,
  );
  return html`<section aria-labelledby="counts-h"><h2 id="counts-h">${t.counts}</h2>
<div class="grid">${kpi(t.total, q.counts.total, "total")}${kpi(t.unreviewed, q.counts.unreviewed, "unreviewed")}${kpi(t.listened, q.counts.listened, "listened")}${q.isCurrentWeek ? kpi(t.carriedOver, q.counts.carriedOver, "carried") : ""}</div>
<ul class="class-counts">${byClass}</ul>
<details><summary>${t.perWeek}</summary><div class="table-wrap"><table><caption class="sr-only">${t.perWeek}</caption><thead><tr><th scope="col">${t.weekCol}</th><th scope="col" class="num">${t.total}</th><th scope="col" class="num">${t.unreviewed}</th></tr></thead><tbody>${perWeek}</tbody></table></div></details>
</section>`;
}

function scoreList(m: QueueItem, t: QueueText): Html {
  const keys = Object.keys(m.scores).sort((a, b) => {
    const ia = QUESTION_ORDER.indexOf(a);
    const ib = QUESTION_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  if (keys.length === 0) return html`<span class="muted">${t.noScores}</span>`;
  return html`<ul class="scores">${keys.map((k) => html`<li><span>${t.questions[k] ?? k}</span> <strong>${m.scores[k]}</strong></li>`)}</ul>`;
}

const duration = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

function card(m: QueueItem, i: QueuePageInput, t: QueueText, fmt: ReturnType<typeof formatters>): Html {
  const id = m.id;
  const status = m.reviewed
    ? html`<span class="badge ok">${t.reviewedBadge}</span>`
    : html`<span class="badge bad">${t.unreviewedBadge}</span>`;
  const carried = m.carriedOver
    ? html` <span class="badge few">${t.carriedBadge(t.weekShort(weekOf(m.recordedAt, i.q.timeZone).week))}</span>`
    : "";
  const needsReg =
    m.needsRegistration && !m.registeredAt ? html` <span class="badge few">${t.needsRegistration}</span>` : "";
  const audio =
    m.kind === "text"
      ? m.text !== null
        ? html`<figure class="comment"><figcaption>${t.writtenComment}</figcaption><blockquote>${m.text}</blockquote></figure>`
        : html`<p class="muted">${t.textPurged(m.audioPurgedAt ? fmt.day(m.audioPurgedAt) : "–")}</p>`
      : m.audioAvailable
        ? html`<audio controls preload="none" src="/queue/audio/${id}" data-duration="${m.durationSeconds}" aria-label="${t.audio} ${fmt.when(m.recordedAt)}"></audio>`
        : html`<p class="muted">${t.audioPurged(m.audioPurgedAt ? fmt.day(m.audioPurgedAt) : "–")}</p>`;
  const err = i.error?.messageId === m.id ? i.error.field : null;
  const errText = err ? (t.errors[err] ?? t.errors.generic) : "";
  // Digit shortcuts pick the category: 0 = not classified, 1–5 in CLASSIFICATIONS order (queue.client.js).
  const radios = [["", t.unclassified], ...CLASSIFICATIONS.map((c) => [c, t.classes[c]])].map(
    ([v, label], n) =>
      html`<label class="radio"><input type="radio" name="classification" value="${v}" aria-keyshortcuts="${n}"${(m.classification ?? "") === v ? html` checked` : ""}> ${label} <kbd aria-hidden="true">${n}</kbd></label>`,
  );
  return html`<article class="vm${m.reviewed ? html` reviewed` : ""}" id="m-${id}" data-id="${id}"${m.carriedOver ? html` data-carried="1"` : ""} tabindex="-1" aria-labelledby="h-${id}">
<h3 id="h-${id}"><time datetime="${m.recordedAt.toISOString()}">${fmt.when(m.recordedAt)}</time> · ${m.groupName}</h3>
<p class="status"><span class="review-status">${status}</span>${carried}<span class="reg-status">${needsReg}</span></p>
<dl class="meta"><div><dt>${t.agent}</dt><dd>${m.agentName}</dd></div>${m.kind === "text" ? html`<div><dt>${t.channel}</dt><dd>${t.web}</dd></div>` : html`<div><dt>${t.duration}</dt><dd>${duration(m.durationSeconds)}</dd></div>`}<div class="wide"><dt>${t.scores}</dt><dd>${scoreList(m, t)}</dd></div></dl>
${audio}
${i.transcript?.(m) ?? ""}
<form method="post" action="/queue/messages/${id}" class="review">
<input type="hidden" name="_csrf" value="${i.csrfToken}"><input type="hidden" name="week" value="${i.q.week}"><input type="hidden" name="page" value="${i.q.page}">
<p class="error form-error"${err ? "" : html` hidden`} id="err-${id}">${errText}</p>
<fieldset><legend>${t.classification}</legend><div class="radios">${radios}</div></fieldset>
<div class="fields">
<div class="reg"><label for="fv-${id}">${t.forvaltning}</label><input id="fv-${id}" name="forvaltning" list="forvaltningar" maxlength="200" value="${m.forvaltning}" aria-describedby="fvh-${id}"><p class="hint" id="fvh-${id}">${t.forvaltningHint}</p></div>
<div class="reg"><label for="cr-${id}">${t.caseReference}</label><input id="cr-${id}" name="caseReference" maxlength="100" value="${m.caseReference}" aria-describedby="crh-${id}${err === "caseReference" ? ` err-${id}` : ""}"${err === "caseReference" ? html` aria-invalid="true"` : ""}><p class="hint" id="crh-${id}">${t.caseReferenceHint}</p></div>
<div class="wide"><label for="nt-${id}">${t.note}</label><textarea id="nt-${id}" name="note" rows="2" maxlength="4000">${m.note}</textarea></div>
</div>
<div class="checks">
<input type="hidden" name="registered" value="0"><label class="check reg"><input type="checkbox" name="registered" value="1"${m.registeredAt ? html` checked` : ""}> ${t.registered}</label>
<input type="hidden" name="listened" value="0"><label class="check"><input type="checkbox" name="listened" value="1"${m.listenedAt ? html` checked` : ""}> ${t.listenedBox}</label>
</div>
<div class="actions"><button type="submit" name="then" value="next" aria-keyshortcuts="s">${t.saveAndNext}</button><button type="submit" name="then" value="stay" class="secondary" aria-keyshortcuts="Shift+S">${t.save}</button></div>
</form>
</article>`;
}

function pager(q: WeekQueue, t: QueueText): Html {
  if (q.pageCount <= 1) return html``;
  const prev = q.page > 1 ? html`<a href="${weekHref(q.week, q.page - 1)}" rel="prev">← ${t.prevPage}</a>` : "";
  const next =
    q.page < q.pageCount ? html`<a href="${weekHref(q.week, q.page + 1)}" rel="next">${t.nextPage} →</a>` : "";
  return html`<nav class="pager" aria-label="${t.pages}">${prev}<span>${t.page(q.page, q.pageCount)}</span>${next}</nav>`;
}
