import { html, type Html } from "../web/html.js";
import { msg, type Lang } from "../web/i18n.js";
import type { ListeningHistory } from "./history.js";
import { parseIsoWeek } from "./rules.js";

/** The body of /queue/history: a week of who did what in the listening queue. */
export function renderHistoryBody(h: ListeningHistory, lang: Lang): Html {
  const t = msg(lang).queue.historyPage;
  const w = parseIsoWeek(h.week)!;
  const locale = lang === "en" ? "en-GB" : "sv-SE";
  const time = new Intl.DateTimeFormat(locale, {
    timeZone: h.timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const day = new Intl.DateTimeFormat(locale, { timeZone: h.timeZone, day: "numeric", month: "short" });
  const href = (week: string) => `/queue/history?week=${encodeURIComponent(week)}`;
  const rows = h.entries.map(
    (e) => html`<tr>
<td><time datetime="${e.at.toISOString()}">${time.format(e.at)}</time></td>
<td>${e.actor}</td>
<td>${t.actions[e.action] ?? t.other}</td>
<td>${
      e.message
        ? html`<a href="/queue?week=${encodeURIComponent(e.message.week)}#m-${e.messageId}">${t.recorded(day.format(e.message.recordedAt), e.message.groupName)}</a>`
        : html`<span class="muted">${t.deleted}</span>`
    }</td>
</tr>`,
  );
  return html`<h1>${t.title}: ${t.week(w.week, w.year)}</h1>
<p class="lead">${t.lead}</p>
<nav class="tabs week-nav" aria-label="${t.title}">
<a href="${href(h.previousWeek)}" rel="prev">← ${t.prev}</a>
${h.nextWeek ? html`<a href="${href(h.nextWeek)}" rel="next">${t.next} →</a>` : ""}
<a href="/queue?week=${encodeURIComponent(h.week)}">${t.back}</a>
</nav>
${
  h.entries.length === 0
    ? html`<p>${t.empty}</p>`
    : html`${h.truncated ? html`<p>${t.truncated(h.entries.length)}</p>` : ""}<div class="table-wrap"><table>
<caption class="visually-hidden">${t.title}: ${t.week(w.week, w.year)}</caption>
<thead><tr><th scope="col">${t.when}</th><th scope="col">${t.who}</th><th scope="col">${t.what}</th><th scope="col">${t.message}</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}`;
}
