import type { SessionUser } from "../../auth/middleware.js";
import type { ResultRow } from "../../results/service.js";
import { cellHtml, lineChart, targetBadge } from "../components.js";
import { esc, fmt, tr, type Lang } from "../i18n.js";
import { renderPage } from "../layout.js";
import { questionLabel, QUESTION_ORDER } from "../questions.js";
import type { OverviewPeriodKey, OverviewView } from "../data/overview.js";

const PALETTE = ["#0b5394", "#b45309", "#1e6b34", "#6b3fa0", "#a4161a", "#00667a", "#5c4b00"];

export function periodTitle(key: OverviewPeriodKey, label: string, L: Lang): string {
  if (key === "week") return `${tr(L, "Vecka", "Week")} ${Number(label.slice(-2))}, ${label.slice(0, 4)}`;
  if (key === "tertial") return `${tr(L, "Tertial", "Period")} ${label.slice(-1)} ${label.slice(0, 4)}`;
  return label;
}

function totalCards(v: OverviewView, L: Lang): string {
  const t = v.total;
  if (!t) return "";
  const card = (label: string, inner: string) => `<div class="kpi"><div class="sub">${label}</div>${inner}</div>`;
  return `<div class="grid">
${card(tr(L, "NKI hela kundcenter", "NKI whole centre"), `<div class="value">${t.tooFew || t.mean === null ? "–" : fmt(L, t.mean)}</div><div class="sub">${cellHtml(t, L)}</div><div>${targetBadge(t.targetMet, L)}</div>`)}
${card(tr(L, "Samma period förra året", "Same period last year"), `<div class="value">${t.previousYear && !t.previousYear.tooFew && t.previousYear.mean !== null ? fmt(L, t.previousYear.mean) : "–"}</div><div class="sub">n = ${t.previousYear?.n ?? 0}</div>`)}
${card(tr(L, "Andra kommuner", "Other municipalities"), t.benchmark ? `<div class="value">${fmt(L, t.benchmark.mean)}</div><div class="sub">${t.benchmark.organizations} ${tr(L, "kommuner", "municipalities")} · n = ${t.benchmark.n}</div>` : `<div class="value">–</div><div class="sub">${tr(L, "För få jämförbara kommuner (minst tre).", "Too few comparable municipalities (at least three).")}</div>`)}
</div>`;
}

function groupsTable(v: OverviewView, L: Lang): string {
  const qs = QUESTION_ORDER.filter((k) => k !== "overall" && v.groupQuestions.some((r) => r.questionKey === k));
  const cell = (groupKey: string, q: string) => {
    const r = v.groupQuestions.find((x) => x.groupKey === groupKey && x.questionKey === q);
    if (!r || r.n === 0) return `<td class="num muted">–</td>`;
    if (r.tooFew || r.mean === null) return `<td class="num"><span class="badge few">n=${r.n}</span></td>`;
    const mark =
      r.targetMet === true
        ? ` <span class="badge ok" title="${tr(L, "mål nått", "target met")}">✓</span>`
        : r.targetMet === false
          ? ` <span class="badge bad" title="${tr(L, "under mål", "below target")}">✗</span>`
          : "";
    return `<td class="num">${fmt(L, r.mean)}${mark}</td>`;
  };
  const rows = v.groups
    .map(
      (g) =>
        `<tr><th scope="row">${esc(g.groupName ?? g.groupKey)}</th><td>${cellHtml(g, L)}</td><td class="num">${g.previousYear && !g.previousYear.tooFew ? fmt(L, g.previousYear.mean) : "–"}</td><td>${targetBadge(g.targetMet, L)}</td>${qs.map((q) => cell(g.groupKey!, q)).join("")}</tr>`,
    )
    .join("");
  return `<div class="table-wrap" tabindex="0"><table data-testid="groups"><caption>${tr(L, "NKI per svarsgrupp, med varje fråga (✓ mål nått, ✗ under mål)", "NKI per svarsgrupp, with each question (✓ target met, ✗ below target)")}</caption>
<thead><tr><th scope="col">${tr(L, "Svarsgrupp", "Svarsgrupp")}</th><th scope="col">NKI</th><th scope="col" class="num">${tr(L, "Förra året", "Last year")}</th><th scope="col">${tr(L, "Mål", "Target")}</th>${qs.map((q) => `<th scope="col" class="num">${esc(questionLabel(q, L))}</th>`).join("")}</tr></thead>
<tbody>${rows || `<tr><td colspan="${4 + qs.length}">${tr(L, "Inga svar under perioden.", "No answers in the period.")}</td></tr>`}</tbody></table></div>`;
}

function agentsTable(agents: ResultRow[], L: Lang): string {
  const rows = agents
    .map(
      (a) =>
        `<tr><th scope="row">${esc(a.agentName ?? a.agentExternalId)}<br><span class="muted">${esc(a.agentExternalId)}</span></th><td>${cellHtml(a, L)}</td><td>${targetBadge(a.targetMet, L)}</td></tr>`,
    )
    .join("");
  return `<div class="table-wrap" tabindex="0"><table data-testid="agents"><caption>${tr(L, "NKI per kommunvägledare", "NKI per agent")}</caption>
<thead><tr><th scope="col">${tr(L, "Kommunvägledare", "Agent")}</th><th scope="col">NKI</th><th scope="col">${tr(L, "Mål", "Target")}</th></tr></thead>
<tbody>${rows || `<tr><td colspan="3">${tr(L, "Inga svar under perioden.", "No answers in the period.")}</td></tr>`}</tbody></table></div>`;
}

export interface OverviewExtras {
  /** HTML of the funnel and coaching sections when the results feature provides them. */
  funnel?: string;
  coaching?: string;
}

export function renderOverview(
  v: OverviewView,
  user: SessionUser,
  L: Lang,
  csrf: string,
  extras: OverviewExtras = {},
): string {
  const tabs = (["week", "month", "tertial"] as const)
    .map(
      (k) =>
        `<a href="/overview?p=${k}"${k === v.periodKey ? ' aria-current="page"' : ""}>${{ week: tr(L, "Denna vecka", "This week"), month: tr(L, "Denna månad", "This month"), tertial: tr(L, "Detta tertial", "This period") }[k]}</a>`,
    )
    .join("");
  const trend = lineChart({
    labels: v.trend.labels,
    series: [
      { name: tr(L, "Hela kundcenter", "Whole centre"), values: v.trend.org, color: "#1b1f24" },
      ...v.trend.groups.map((g, i) => ({
        name: g.name,
        values: g.values,
        color: PALETTE[i % PALETTE.length],
        dash: i % 2 ? "6 3" : undefined,
      })),
    ],
    title: tr(
      L,
      "NKI per vecka och svarsgrupp, de senaste tolv veckorna",
      "NKI per week and svarsgrupp, the last twelve weeks",
    ),
    lang: L,
  });
  const body = `<h1>${tr(L, "Översikt", "Overview")} <span class="muted">– ${esc(periodTitle(v.periodKey, v.period.label, L))}</span></h1>
<nav class="tabs" aria-label="${tr(L, "Period", "Period")}">${tabs}</nav>
<p class="noprint"><a href="/reports/weekly">${tr(L, "Veckorapport", "Weekly report")}</a> · <a href="/reports/period">${tr(L, "Tertialrapport", "Period report")}</a> · <a href="/queue">${tr(L, "Lyssningskö för röstmeddelanden", "Listening queue for voice messages")}</a></p>
${totalCards(v, L)}
<h2>${tr(L, "Svarsgrupper", "Svarsgrupper")}</h2>
${groupsTable(v, L)}
<h2>${tr(L, "Utveckling", "Trend")}</h2>
${trend}
${extras.coaching ?? ""}
<h2>${tr(L, "Kommunvägledare", "Agents")}</h2>
${agentsTable(v.agents, L)}
${extras.funnel ?? ""}`;
  return renderPage({
    title: tr(L, "Översikt", "Overview"),
    user,
    active: "overview",
    body,
    lang: L,
    csrfToken: csrf,
    path: `/overview?p=${v.periodKey}`,
  });
}
