import type { SessionUser } from "../../auth/middleware.js";
import type { ResultRow } from "../../results/service.js";
import { periodName } from "../../results/report-text.js";
import { cellHtml, targetBadge } from "../components.js";
import { changeHtml, comparisonsTable } from "../comparisons.js";
import { periodNav } from "../period-nav.js";
import { meanOf, trendSection } from "../trend-charts.js";
import { html, type Html } from "../html.js";
import { fmt, int, msg, type Lang } from "../i18n.js";
import { renderPage } from "../layout.js";
import { questionLabel, QUESTION_ORDER } from "../questions.js";
import type { OverviewView } from "../data/overview.js";
import { channelSuffix, channelSwitch } from "../channel-switch.js";

const PALETTE = ["#0b5394", "#b45309", "#1e6b34", "#6b3fa0", "#a4161a", "#00667a", "#5c4b00"];

function totalCards(v: OverviewView, L: Lang): Html | "" {
  const t = v.total;
  if (!t) return "";
  const card = (label: string, inner: Html) => html`<div class="kpi"><div class="sub">${label}</div>${inner}</div>`;
  return html`<div class="grid">
${card(msg(L).overview.nkiWholeCentre, html`<div class="value">${t.tooFew || t.mean === null ? "–" : fmt(L, t.mean)}</div><div class="sub">${cellHtml(t, L)}</div><div>${targetBadge(t, L)}</div>`)}
${card(msg(L).overview.samePeriodLastYear, html`<div class="value">${t.previousYear && !t.previousYear.tooFew && t.previousYear.mean !== null ? fmt(L, t.previousYear.mean) : "–"}</div><div class="sub">${v.previousPeriod ? periodName(v.previousPeriod, L) : ""} · ${t.previousYear?.respondents ?? 0} ${msg(L).overview.respondents}</div><div class="sub">${changeHtml(L, t.change, v.minAnswers)}</div>`)}
${card(msg(L).overview.otherMunicipalitiesInThis, t.benchmark ? html`<div class="value">${fmt(L, t.benchmark.mean)}</div><div class="sub">${t.benchmark.organizations} ${msg(L).overview.municipalities} · ${t.benchmark.respondents} ${msg(L).overview.respondents}</div>` : html`<div class="value">–</div><div class="sub">${msg(L).overview.tooFewComparableMunicipalities}</div>`)}
</div>`;
}

function groupsTable(v: OverviewView, L: Lang): Html {
  const qs = QUESTION_ORDER.filter((k) => k !== "overall" && v.groupQuestions.some((r) => r.questionKey === k));
  const cell = (groupKey: string, q: string) => {
    const r = v.groupQuestions.find((x) => x.groupKey === groupKey && x.questionKey === q);
    if (!r || r.n === 0) return html`<td class="num muted">–</td>`;
    if (r.tooFew || r.mean === null) return html`<td class="num"><span class="badge few">n=${int(L, r.n)}</span></td>`;
    const mark =
      r.targetMet === true
        ? html` <span class="badge ok" title="${msg(L).overview.targetMet}">✓</span>`
        : r.targetMet === false
          ? html` <span class="badge bad" title="${msg(L).overview.belowTarget}">✗</span>`
          : "";
    return html`<td class="num">${fmt(L, r.mean)}${mark}</td>`;
  };
  const rows = v.groups.map(
    (g) =>
      html`<tr><th scope="row">${g.groupName ?? g.groupKey}</th><td>${cellHtml(g, L)}</td><td class="num">${g.previousYear && !g.previousYear.tooFew ? fmt(L, g.previousYear.mean) : "–"}</td><td>${targetBadge(g, L)}</td>${qs.map((q) => cell(g.groupKey!, q))}</tr>`,
  );
  return html`<div class="table-wrap" tabindex="0"><table data-testid="groups"><caption>${msg(L).overview.nkiPerSvarsgruppWith}</caption>
<thead><tr><th scope="col">${msg(L).overview.svarsgrupp}</th><th scope="col">NKI</th><th scope="col" class="num">${msg(L).overview.lastYear}</th><th scope="col">${msg(L).overview.target}</th>${qs.map((q) => html`<th scope="col" class="num">${questionLabel(q, L)}</th>`)}</tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="${4 + qs.length}">${msg(L).overview.noAnswersInPeriod}</td></tr>`}</tbody></table></div>`;
}

function agentsTable(agents: ResultRow[], L: Lang): Html {
  const rows = agents.map(
    (a) =>
      html`<tr><th scope="row">${a.agentName ?? a.agentExternalId}<br><span class="muted">${a.agentExternalId}</span></th><td>${cellHtml(a, L)}</td><td class="num">${a.previousYear && !a.previousYear.tooFew && a.previousYear.n > 0 ? fmt(L, a.previousYear.mean) : "–"}</td><td>${targetBadge(a, L)}</td></tr>`,
  );
  return html`<div class="table-wrap" tabindex="0"><table data-testid="agents"><caption>${msg(L).overview.nkiPerAgent}</caption>
<thead><tr><th scope="col">${msg(L).overview.agent}</th><th scope="col">NKI</th><th scope="col" class="num">${msg(L).overview.lastYear}</th><th scope="col">${msg(L).overview.target}</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4">${msg(L).overview.noAnswersInPeriod}</td></tr>`}</tbody></table></div>`;
}

export interface OverviewExtras {
  /** The funnel and coaching sections when the results feature provides them. */
  funnel?: Html;
  coaching?: Html;
}

export function renderOverview(
  v: OverviewView,
  user: SessionUser,
  L: Lang,
  csrf: string,
  extras: OverviewExtras = {},
): Html {
  const ch = channelSuffix(v.channel);
  const tabs = (["week", "month", "tertial"] as const).map(
    (k) =>
      html`<a href="/overview?p=${k}${ch}"${k === v.periodKey && html` aria-current="page"`}>${{ week: msg(L).overview.currentWeek, month: msg(L).overview.thisMonth, tertial: msg(L).overview.thisPeriod }[k]}</a>`,
  );
  const groupLines = v.groupWeeks.map((s, i) => ({
    name: s.scope.groupName ?? s.scope.groupKey ?? "",
    values: s.points.map((p) => meanOf(p)),
    color: PALETTE[i % PALETTE.length],
    dash: i % 2 ? "6 3" : undefined,
  }));
  const q = `?period=${encodeURIComponent(v.period.label)}`;
  // The reports open on this period when it is of their kind, and on this channel.
  const reportQuery = (samePeriod: boolean) => (samePeriod ? `${q}${ch}` : v.channel ? `?channel=${v.channel}` : "");
  const body = html`<h1>${msg(L).overview.overview} <span class="muted">– ${periodName(v.period, L)}</span></h1>
<nav class="tabs" aria-label="${msg(L).overview.currentPeriods}">${tabs}</nav>
${periodNav({ path: "/overview", period: v.period, lang: L, keep: { channel: v.channel } })}
${channelSwitch({ href: `/overview${q}`, channel: v.channel, channels: v.channels, lang: L })}
<p class="noprint"><a href="/reports/weekly${reportQuery(v.period.kind === "week")}">${msg(L).overview.weeklyReport}</a> · <a href="/reports/period${reportQuery(v.period.kind !== "week")}">${msg(L).overview.periodReport}</a> · <a href="/queue">${msg(L).overview.listeningQueueForVoice}</a></p>
${totalCards(v, L)}
<h2>${msg(L).overview.comparisons}</h2>
${v.total && comparisonsTable({ period: v.period, previousPeriod: v.previousPeriod, own: v.total, ownName: msg(L).overview.wholeCentre, other: v.otherSources, minAnswers: v.minAnswers }, L)}
<h2>${msg(L).overview.svarsgrupper}</h2>
${groupsTable(v, L)}
<h2>${msg(L).overview.trend}</h2>
${trendSection(v.trends, L, { mainName: msg(L).overview.wholeCentre, weekExtras: groupLines })}
${extras.coaching}
<h2>${msg(L).overview.agents}</h2>
${agentsTable(v.agents, L)}
${extras.funnel}`;
  return renderPage({
    title: msg(L).overview.overview,
    user,
    active: "overview",
    body,
    lang: L,
    csrfToken: csrf,
    path: v.periodKey ? `/overview?p=${v.periodKey}${ch}` : `/overview${q}${ch}`,
  });
}
