import type { SessionUser } from "../../auth/middleware.js";
import type { ResultRow } from "../../results/service.js";
import { periodName } from "../../results/report-text.js";
import { cellHtml, targetBadge } from "../components.js";
import { changeHtml, comparisonsTable } from "../comparisons.js";
import { html, type Html } from "../html.js";
import { fmt, tr, type Lang } from "../i18n.js";
import { renderPage } from "../layout.js";
import { periodNav } from "../period-nav.js";
import { questionLabel, sortQuestions } from "../questions.js";
import { trendSection } from "../trend-charts.js";
import type { AgentPeriod, AgentPeriodKey, AgentView } from "../data/agent.js";
import { channelSuffix, channelSwitch } from "../channel-switch.js";

const hhmm = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat("sv-SE", { timeZone, hour: "2-digit", minute: "2-digit" }).format(at);

const cardName = (key: AgentPeriodKey, p: AgentPeriod["period"], L: Lang) =>
  ({
    today: tr(L, "Idag", "Today"),
    week: `${tr(L, "Vecka", "Week")} ${Number(p.label.slice(-2))}`,
    period: `${tr(L, "Tertial", "Period")} ${p.label.slice(-1)} ${p.label.slice(0, 4)}`,
  })[key];

function summaryCard(p: AgentPeriod, L: Lang, selected: boolean, ch: string): Html {
  const me = p.overall;
  const value = !me || me.n === 0 ? "–" : me.tooFew || me.mean === null ? tr(L, "för få", "too few") : fmt(L, me.mean);
  return html`<a class="kpi kpi-link" href="/me?p=${p.key}${ch}"${selected && html` aria-current="true"`}>
<div class="sub">${cardName(p.key, p.period, L)} · ${tr(L, "mitt NKI", "my NKI")}</div>
<div class="value" data-testid="kpi-${p.key}">${value}</div>
<div class="sub">${me?.respondents ?? 0} ${tr(L, "svarande", "respondents")} · <span data-testid="n-${p.key}">${me?.n ?? 0}</span> ${tr(L, "svar", "answers")} · ${tr(L, "gruppen", "group")} ${fmt(L, me?.group && !me.group.tooFew ? me.group.mean : null)} · ${tr(L, "kundcenter", "centre")} ${fmt(L, me?.organization && !me.organization.tooFew ? me.organization.mean : null)}</div>
${me && me.targetMet !== null && html`<div>${targetBadge(me, L)}</div>`}
</a>`;
}

function questionTable(v: AgentView, L: Lang, groupName: string | null): Html {
  const rows = [
    ...(v.overall ? [{ ...v.overall, questionKey: "overall" }] : []),
    ...sortQuestions(v.questions.filter((q): q is ResultRow & { questionKey: string } => !!q.questionKey)),
  ];
  const ex = v.otherSources?.exchange;
  const tooFewMunicipalities = html`<span class="muted">${tr(L, "för få kommuner", "too few municipalities")}</span>`;
  const exchangeCell = (key: string) => {
    const f = ex?.figures[key];
    if (f)
      return html`<strong>${fmt(L, f.mean)}</strong><br><span class="muted">${f.municipalities} ${tr(L, "kommuner", "municipalities")} · ${f.respondents} ${tr(L, "svarande", "respondents")}</span>`;
    if (ex?.unavailable === "no-peers") return html`<span class="muted">${tr(L, "inga hämtade", "none pulled")}</span>`;
    if (ex?.unavailable === "not-whole-months")
      return html`<span class="muted">${tr(L, "bara hela månader", "whole months only")}</span>`;
    return tooFewMunicipalities;
  };
  return html`<div class="table-wrap" tabindex="0"><table data-testid="questions">
<caption>${periodName(v.period, L)}: ${tr(L, "medel 1–5 med 95 % konfidensintervall, andel nöjda (4–5) och antal svar; andra kommuner i installationen (k-anonymt) och via jämförelseutbytet", "mean 1–5 with 95 % confidence interval, satisfied share (4–5) and number of answers; other municipalities in this installation (k-anonymous) and via the benchmark exchange")}</caption>
<thead><tr><th scope="col">${tr(L, "Fråga", "Question")}</th><th scope="col">${tr(L, "Jag", "Me")}</th><th scope="col">${tr(L, "Förra året", "Last year")}</th><th scope="col">${tr(L, "Min svarsgrupp", "My svarsgrupp")}${groupName && html`<br><span class="muted">${groupName}</span>`}</th><th scope="col">${tr(L, "Hela kundcenter", "Whole centre")}</th><th scope="col">${tr(L, "Andra kommuner (installationen)", "Other municipalities (installation)")}</th><th scope="col">${tr(L, "Andra kommuner (utbytet)", "Other municipalities (exchange)")}</th><th scope="col">${tr(L, "Mål", "Target")}</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><th scope="row">${questionLabel(r.questionKey ?? "overall", L)}</th><td>${cellHtml(r, L)}</td><td>${cellHtml(r.previousYear, L)}</td><td>${cellHtml(r.group, L)}</td><td>${cellHtml(r.organization, L)}</td><td data-testid="bench-${r.questionKey ?? "overall"}">${r.benchmark ? cellHtml(r.benchmark, L) : tooFewMunicipalities}</td><td>${exchangeCell(r.questionKey ?? "overall")}</td><td>${targetBadge(r, L)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The part of the page the live stream replaces. */
export function renderAgentLive(v: AgentView, L: Lang): Html {
  const groupName = v.overall?.group?.groupName ?? v.trends?.weeks.group?.find((g) => g.groupName)?.groupName ?? null;
  const ch = channelSuffix(v.channel);
  return html`<div class="grid">${v.periods.map((p) => summaryCard(p, L, p.key === v.selected, ch))}</div>
<h2>${tr(L, "Per fråga", "Per question")} – ${periodName(v.period, L)}</h2>
${v.overall && html`<p data-testid="change-line">${tr(L, "Mitt NKI mot samma period förra året", "My NKI against the same period last year")}${v.previousPeriod ? ` (${periodName(v.previousPeriod, L)})` : ""}: ${changeHtml(L, v.overall.change, v.minAnswers)}</p>`}
${questionTable(v, L, groupName)}
<h2>${tr(L, "Jämförelser", "Comparisons")}</h2>
${v.overall && comparisonsTable({ period: v.period, previousPeriod: v.previousPeriod, own: v.overall, ownName: tr(L, "Jag", "Me"), group: v.overall.group ?? null, organization: v.overall.organization ?? null, other: v.otherSources, minAnswers: v.minAnswers }, L)}
<h2>${tr(L, "Utveckling", "Trend")}</h2>
${v.trends && trendSection(v.trends, L, { mainName: tr(L, "Jag", "Me") })}`;
}

export function renderAgentPage(v: AgentView, user: SessionUser, L: Lang, csrf: string): Html {
  const ch = channelSuffix(v.channel);
  const tabs = v.periods.map(
    (p) =>
      html`<a href="/me?p=${p.key}${ch}"${p.key === v.selected && html` aria-current="page"`}>${cardName(p.key, p.period, L)}</a>`,
  );
  const here = v.selected ? `?p=${v.selected}` : `?period=${encodeURIComponent(v.period.label)}`;
  const path = `/me${here}${ch}`;
  // Live updates only for a period that contains today; a past period is a fixed record and is not re-rendered.
  const stream = `/api/v1/results/stream${here}${ch}`;
  const results = user.agentId
    ? renderAgentLive(v, L)
    : html`<p>${tr(L, "Ditt konto är inte kopplat till någon kommunvägledare ännu. Kontakta administratören.", "Your account is not linked to an agent yet. Contact the administrator.")}</p>`;
  const body = html`<h1>${tr(L, "Mina resultat", "My results")}${v.agentName && html` <span class="muted">– ${v.agentName}</span>`}</h1>
<p class="lead">${tr(L, "Så här har medborgarna bedömt samtalen du tog emot (1 = sämst, 5 = bäst). Resultat med för få svarande visas inte som siffror.", "How citizens rated the calls you answered (1 = worst, 5 = best). Results with too few respondents are not shown as numbers.")}</p>
<nav class="tabs" aria-label="${tr(L, "Aktuella perioder", "Current periods")}">${tabs}</nav>
${periodNav({ path: "/me", period: v.period, lang: L, keep: { channel: v.channel } })}
${user.agentId && channelSwitch({ href: `/me${here}`, channel: v.channel, channels: v.channels, lang: L })}
${
  v.live
    ? html`<p class="live"><span id="live-status" data-connected="${tr(L, "Uppdateras automatiskt: dina egna nya svar direkt, gruppens och kundcentrets siffror högst var 30:e sekund.", "Updates automatically: your own new answers at once, the group's and centre's figures at most every 30 seconds.")}">${tr(L, "Ansluter för automatisk uppdatering …", "Connecting for live updates …")}</span> <span id="live-updated" data-label="${tr(L, "Senast uppdaterad", "Last updated")}">${tr(L, "Senast uppdaterad", "Last updated")} ${hhmm(v.renderedAt, v.timeZone)}</span></p>
<p id="live-announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-new-mine="${tr(L, "Nytt svar om ditt samtal", "New answer about your call")}" data-my-nki="${tr(L, "Mitt NKI", "My NKI")}"></p>
<div id="live" data-stream="${stream}" data-period="${v.selected ?? ""}" data-quiet-ms="30000" data-announce-ms="60000">${results}</div>`
    : html`<p class="notice" data-testid="not-live">${tr(L, "En avslutad period: sidan uppdateras inte automatiskt.", "A finished period: the page does not update automatically.")} <a href="/me?p=week${ch}">${tr(L, "Till aktuell vecka", "To the current week")}</a></p>
<div id="results">${results}</div>`
}`;
  return renderPage({
    title: tr(L, "Mina resultat", "My results"),
    user,
    active: "me",
    body,
    lang: L,
    csrfToken: csrf,
    scripts: v.live ? ["/assets/live.js"] : [],
    path,
  });
}
