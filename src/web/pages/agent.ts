import type { SessionUser } from "../../auth/middleware.js";
import type { ResultRow } from "../../results/service.js";
import { periodName } from "../../results/report-text.js";
import { cellHtml, targetBadge } from "../components.js";
import { changeHtml, comparisonsTable } from "../comparisons.js";
import { html, type Html } from "../html.js";
import { fmt, int, msg, type Lang } from "../i18n.js";
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
    today: msg(L).agent.today,
    week: `${msg(L).agent.week} ${Number(p.label.slice(-2))}`,
    period: `${msg(L).agent.period} ${p.label.slice(-1)} ${p.label.slice(0, 4)}`,
  })[key];

function summaryCard(p: AgentPeriod, L: Lang, selected: boolean, ch: string): Html {
  const me = p.overall;
  const value = !me || me.n === 0 ? "–" : me.tooFew || me.mean === null ? msg(L).agent.tooFew : fmt(L, me.mean);
  return html`<a class="kpi kpi-link" href="/me?p=${p.key}${ch}"${selected && html` aria-current="true"`}>
<div class="sub">${cardName(p.key, p.period, L)} · ${msg(L).agent.myNki}</div>
<div class="value" data-testid="kpi-${p.key}">${value}</div>
<div class="sub">${int(L, me?.respondents ?? 0)} ${msg(L).agent.respondents} · <span data-testid="n-${p.key}">${int(L, me?.n ?? 0)}</span> ${msg(L).agent.answers} · ${msg(L).agent.group} ${fmt(L, me?.group && !me.group.tooFew ? me.group.mean : null)} · ${msg(L).agent.centre} ${fmt(L, me?.organization && !me.organization.tooFew ? me.organization.mean : null)}</div>
${me && me.targetMet !== null && html`<div>${targetBadge(me, L)}</div>`}
</a>`;
}

function questionTable(v: AgentView, L: Lang, groupName: string | null): Html {
  const rows = [
    ...(v.overall ? [{ ...v.overall, questionKey: "overall" }] : []),
    ...sortQuestions(v.questions.filter((q): q is ResultRow & { questionKey: string } => !!q.questionKey)),
  ];
  const ex = v.otherSources?.exchange;
  const tooFewMunicipalities = html`<span class="muted">${msg(L).agent.tooFewMunicipalities}</span>`;
  const exchangeCell = (key: string) => {
    const f = ex?.figures[key];
    if (f)
      return html`<strong>${fmt(L, f.mean)}</strong><br><span class="muted">${f.municipalities} ${msg(L).agent.municipalities} · ${f.respondents} ${msg(L).agent.respondents}</span>`;
    if (ex?.unavailable === "no-peers") return html`<span class="muted">${msg(L).agent.nonePulled}</span>`;
    if (ex?.unavailable === "not-whole-months") return html`<span class="muted">${msg(L).agent.wholeMonthsOnly}</span>`;
    return tooFewMunicipalities;
  };
  return html`<div class="table-wrap" tabindex="0"><table data-testid="questions">
<caption>${periodName(v.period, L)}: ${msg(L).agent.mean15With}</caption>
<thead><tr><th scope="col">${msg(L).agent.question}</th><th scope="col">${msg(L).agent.me}</th><th scope="col">${msg(L).agent.lastYear}</th><th scope="col">${msg(L).agent.mySvarsgrupp}${groupName && html`<br><span class="muted">${groupName}</span>`}</th><th scope="col">${msg(L).agent.wholeCentre}</th><th scope="col">${msg(L).agent.otherMunicipalitiesInstallation}</th><th scope="col">${msg(L).agent.otherMunicipalitiesExchange}</th><th scope="col">${msg(L).agent.target}</th></tr></thead>
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
<h2>${msg(L).agent.perQuestion} – ${periodName(v.period, L)}</h2>
${v.overall && html`<p data-testid="change-line">${msg(L).agent.myNkiAgainstSame}${v.previousPeriod ? ` (${periodName(v.previousPeriod, L)})` : ""}: ${changeHtml(L, v.overall.change, v.minAnswers)}</p>`}
${questionTable(v, L, groupName)}
<h2>${msg(L).agent.comparisons}</h2>
${v.overall && comparisonsTable({ period: v.period, previousPeriod: v.previousPeriod, own: v.overall, ownName: msg(L).agent.me, group: v.overall.group ?? null, organization: v.overall.organization ?? null, other: v.otherSources, minAnswers: v.minAnswers }, L)}
<h2>${msg(L).agent.trend}</h2>
${v.trends && trendSection(v.trends, L, { mainName: msg(L).agent.me })}`;
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
  const results = user.agentId ? renderAgentLive(v, L) : html`<p>${msg(L).agent.yourAccountIsNot}</p>`;
  const body = html`<h1>${msg(L).agent.myResults}${v.agentName && html` <span class="muted">– ${v.agentName}</span>`}</h1>
<p class="lead">${msg(L).agent.howCitizensRatedCalls}</p>
<nav class="tabs" aria-label="${msg(L).agent.currentPeriods}">${tabs}</nav>
${periodNav({ path: "/me", period: v.period, lang: L, keep: { channel: v.channel } })}
${user.agentId && channelSwitch({ href: `/me${here}`, channel: v.channel, channels: v.channels, lang: L })}
${
  v.live
    ? html`<p class="live"><span id="live-status" data-connected="${msg(L).agent.updatesAutomaticallyYourOwn}">${msg(L).agent.connectingForLiveUpdates}</span> <span id="live-updated" data-label="${msg(L).agent.lastUpdated}">${msg(L).agent.lastUpdated} ${hhmm(v.renderedAt, v.timeZone)}</span></p>
<p id="live-announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-new-mine="${msg(L).agent.newAnswerAboutYour}" data-my-nki="${msg(L).agent.myNki2}"></p>
<div id="live" data-stream="${stream}" data-period="${v.selected ?? ""}" data-quiet-ms="30000" data-announce-ms="60000">${results}</div>`
    : html`<p class="notice" data-testid="not-live">${msg(L).agent.finishedPeriodPageDoes} <a href="/me?p=week${ch}">${msg(L).agent.toCurrentWeek}</a></p>
<div id="results">${results}</div>`
}`;
  return renderPage({
    title: msg(L).agent.myResults,
    user,
    active: "me",
    body,
    lang: L,
    csrfToken: csrf,
    scripts: v.live ? ["/assets/live.js"] : [],
    path,
  });
}
