import { html, type Html } from "../web/html.js";
import type { Lang } from "../web/i18n.js";
import type { ListeningHistory } from "./history.js";
import { parseIsoWeek } from "./rules.js";

const TEXT = {
  sv: {
    title: "Lyssningshistorik",
    week: (w: number, y: number) => `vecka ${w}, ${y}`,
    lead: "Vem som lyssnade på och hanterade vilka röstmeddelanden, veckan då det gjordes. Nyast först.",
    prev: "Föregående vecka",
    next: "Nästa vecka",
    back: "Tillbaka till lyssningskön",
    when: "Tid",
    who: "Vem",
    what: "Vad",
    message: "Meddelande",
    recorded: (d: string, g: string) => `inspelat ${d}, ${g}`,
    deleted: "raderat meddelande",
    empty: "Ingen har lyssnat på eller hanterat något meddelande den här veckan.",
    truncated: (n: number) => `Visar de ${n} senaste händelserna.`,
    actions: {
      play: "Spelade upp",
      "read-text": "Läste den skriftliga kommentaren",
      listened: "Markerade som lyssnat",
      unlistened: "Tog bort markeringen lyssnat",
      classify: "Ändrade kategori",
      forvaltning: "Ändrade förvaltning",
      note: "Ändrade anteckning",
      "case-reference": "Ändrade ärendenummer",
      register: "Markerade som registrerat",
      unregister: "Tog bort markeringen registrerat",
      reviewed: "Markerade som granskat",
      reopened: "Öppnade granskningen igen",
    } as Record<string, string>,
    other: "Annan åtgärd",
  },
  en: {
    title: "Listening history",
    week: (w: number, y: number) => `week ${w}, ${y}`,
    lead: "Who listened to and handled which voice messages, by the week it was done. Newest first.",
    prev: "Previous week",
    next: "Next week",
    back: "Back to the listening queue",
    when: "Time",
    who: "Who",
    what: "What",
    message: "Message",
    recorded: (d: string, g: string) => `recorded ${d}, ${g}`,
    deleted: "deleted message",
    empty: "Nobody listened to or handled a message this week.",
    truncated: (n: number) => `Showing the latest ${n} events.`,
    actions: {
      play: "Played",
      "read-text": "Read the written comment",
      listened: "Marked as listened",
      unlistened: "Unmarked as listened",
      classify: "Changed category",
      forvaltning: "Changed department",
      note: "Changed note",
      "case-reference": "Changed case number",
      register: "Marked as registered",
      unregister: "Unmarked as registered",
      reviewed: "Marked as reviewed",
      reopened: "Reopened the review",
    } as Record<string, string>,
    other: "Other action",
  },
};

/** The body of /queue/history: a week of who did what in the listening queue. */
export function renderHistoryBody(h: ListeningHistory, lang: Lang): Html {
  const t = TEXT[lang];
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
