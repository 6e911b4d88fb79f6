import type { SessionUser } from "../../auth/middleware.js";
import type { ResultRow } from "../../results/service.js";
import { cellHtml, COLORS, lineChart, targetBadge } from "../components.js";
import { html, type Html } from "../html.js";
import { fmt, tr, type Lang } from "../i18n.js";
import { renderPage } from "../layout.js";
import { questionLabel, sortQuestions } from "../questions.js";
import type { AgentPeriod, AgentPeriodKey, AgentView } from "../data/agent.js";

const hhmm = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat("sv-SE", { timeZone, hour: "2-digit", minute: "2-digit" }).format(at);

const periodName = (key: AgentPeriodKey, p: AgentPeriod["period"], L: Lang) =>
  ({
    today: tr(L, "Idag", "Today"),
    week: `${tr(L, "Vecka", "Week")} ${Number(p.label.slice(-2))}`,
    period: `${tr(L, "Tertial", "Period")} ${p.label.slice(-1)} ${p.label.slice(0, 4)}`,
  })[key];

function summaryCard(p: AgentPeriod, L: Lang, selected: boolean): Html {
  const me = p.overall;
  const value = !me || me.n === 0 ? "–" : me.tooFew || me.mean === null ? tr(L, "för få", "too few") : fmt(L, me.mean);
  return html`<a class="kpi kpi-link" href="/me?p=${p.key}"${selected && html` aria-current="true"`}>
<div class="sub">${periodName(p.key, p.period, L)} · ${tr(L, "mitt NKI", "my NKI")}</div>
<div class="value" data-testid="kpi-${p.key}">${value}</div>
<div class="sub">n = <span data-testid="n-${p.key}">${me?.n ?? 0}</span> · ${tr(L, "gruppen", "group")} ${fmt(L, me?.group && !me.group.tooFew ? me.group.mean : null)} · ${tr(L, "kundcenter", "centre")} ${fmt(L, me?.organization && !me.organization.tooFew ? me.organization.mean : null)}</div>
${me && me.targetMet !== null && html`<div>${targetBadge(me, L)}</div>`}
</a>`;
}

function questionTable(p: AgentPeriod, L: Lang, groupName: string | null): Html {
  const rows = [
    ...(p.overall ? [{ ...p.overall, questionKey: "overall" }] : []),
    ...sortQuestions(p.questions.filter((q): q is ResultRow & { questionKey: string } => !!q.questionKey)),
  ];
  const bench = rows.some((r) => r.benchmark);
  return html`<div class="table-wrap" tabindex="0"><table data-testid="questions">
<caption>${periodName(p.key, p.period, L)}: ${tr(L, "medel 1–5 med 95 % konfidensintervall, andel nöjda (4–5) och antal svar", "mean 1–5 with 95 % confidence interval, satisfied share (4–5) and number of answers")}</caption>
<thead><tr><th scope="col">${tr(L, "Fråga", "Question")}</th><th scope="col">${tr(L, "Jag", "Me")}</th><th scope="col">${tr(L, "Min svarsgrupp", "My svarsgrupp")}${groupName && html`<br><span class="muted">${groupName}</span>`}</th><th scope="col">${tr(L, "Hela kundcenter", "Whole centre")}</th>${bench && html`<th scope="col">${tr(L, "Andra kommuner", "Other municipalities")}</th>`}<th scope="col">${tr(L, "Mål", "Target")}</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><th scope="row">${questionLabel(r.questionKey ?? "overall", L)}</th><td>${cellHtml(r, L)}</td><td>${cellHtml(r.group, L)}</td><td>${cellHtml(r.organization, L)}</td>${bench && html`<td>${r.benchmark ? cellHtml(r.benchmark, L) : html`<span class="muted">${tr(L, "för få kommuner", "too few municipalities")}</span>`}</td>`}<td>${targetBadge(r, L)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The part of the page the live stream replaces. */
export function renderAgentLive(v: AgentView, L: Lang): Html {
  const selected = v.periods.find((p) => p.key === v.selected)!;
  const groupName = selected.overall?.group?.groupName ?? v.trend.groupName;
  const trend = lineChart({
    labels: v.trend.labels,
    series: [
      { name: tr(L, "Jag", "Me"), values: v.trend.me, color: COLORS.me },
      {
        name: groupName ?? tr(L, "Min svarsgrupp", "My svarsgrupp"),
        values: v.trend.group,
        color: COLORS.group,
        dash: "6 4",
      },
      { name: tr(L, "Hela kundcenter", "Whole centre"), values: v.trend.org, color: COLORS.org, dash: "2 3" },
    ],
    title: tr(L, "NKI per vecka, de senaste åtta veckorna", "NKI per week, the last eight weeks"),
    lang: L,
  });
  return html`<div class="grid">${v.periods.map((p) => summaryCard(p, L, p.key === v.selected))}</div>
<h2>${tr(L, "Per fråga", "Per question")} – ${periodName(selected.key, selected.period, L)}</h2>
${questionTable(selected, L, groupName)}
<h2>${tr(L, "Utveckling", "Trend")}</h2>
${trend}`;
}

export function renderAgentPage(v: AgentView, user: SessionUser, L: Lang, csrf: string): Html {
  const tabs = v.periods.map(
    (p) =>
      html`<a href="/me?p=${p.key}"${p.key === v.selected && html` aria-current="page"`}>${periodName(p.key, p.period, L)}</a>`,
  );
  const body = html`<h1>${tr(L, "Mina resultat", "My results")}${v.agentName && html` <span class="muted">– ${v.agentName}</span>`}</h1>
<p class="lead">${tr(L, "Så här har medborgarna bedömt samtalen du tog emot (1 = sämst, 5 = bäst). Resultat med för få svar visas inte som siffror.", "How citizens rated the calls you answered (1 = worst, 5 = best). Results with too few answers are not shown as numbers.")}</p>
<nav class="tabs" aria-label="${tr(L, "Period", "Period")}">${tabs}</nav>
<p class="live"><span id="live-status" data-connected="${tr(L, "Uppdateras automatiskt: dina egna nya svar direkt, gruppens och kundcentrets siffror högst var 30:e sekund.", "Updates automatically: your own new answers at once, the group's and centre's figures at most every 30 seconds.")}">${tr(L, "Ansluter för automatisk uppdatering …", "Connecting for live updates …")}</span> <span id="live-updated" data-label="${tr(L, "Senast uppdaterad", "Last updated")}">${tr(L, "Senast uppdaterad", "Last updated")} ${hhmm(v.renderedAt, v.timeZone)}</span></p>
<p id="live-announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-new-mine="${tr(L, "Nytt svar om ditt samtal", "New answer about your call")}" data-my-nki="${tr(L, "Mitt NKI", "My NKI")}"></p>
<div id="live" data-stream="/api/v1/results/stream?p=${v.selected}" data-period="${v.selected}" data-quiet-ms="30000" data-announce-ms="60000">${user.agentId ? renderAgentLive(v, L) : html`<p>${tr(L, "Ditt konto är inte kopplat till någon kommunvägledare ännu. Kontakta administratören.", "Your account is not linked to an agent yet. Contact the administrator.")}</p>`}</div>`;
  return renderPage({
    title: tr(L, "Mina resultat", "My results"),
    user,
    active: "me",
    body,
    lang: L,
    csrfToken: csrf,
    scripts: ["/assets/live.js"],
    path: `/me?p=${v.selected}`,
  });
}
