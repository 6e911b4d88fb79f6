import type { OtherSources } from "../exchange/comparisons.js";
import type { Period } from "../results/periods.js";
import type { ResultRow } from "../results/service.js";
import type { Change, Metrics } from "../results/stats.js";
import { periodName } from "../results/report-text.js";
import { html, type Html } from "./html.js";
import { fmt, int, msg, type Lang } from "./i18n.js";

/**
 * The comparisons of the overview and the agent page, one row each, every
 * row labelled with its source, its method and its n in citizens (svarande):
 * the svarsgrupp and the whole kundcenter (this service), the same period last
 * year with the change and its 95 % interval, other organizations in this
 * installation (k-anonymous), the benchmark exchange between installations,
 * and figures published elsewhere (another method: context, never pooled).
 * A suppressed comparison says why instead of disappearing.
 */
export interface ComparisonInput {
  period: Period;
  previousPeriod?: Period;
  /** The page's own figure for the period (the agent, or the whole kundcenter), with previousYear, change and benchmark. */
  own: ResultRow;
  ownName: string;
  /** The agent page's svarsgrupp and kundcenter. */
  group?: (Metrics & { groupName?: string }) | null;
  organization?: Metrics | null;
  other?: OtherSources;
  minAnswers: number;
}

function value(L: Lang, m: { mean: number | null; n: number; tooFew?: boolean } | null | undefined, why: string): Html {
  if (!m || m.n === 0) return html`<span class="muted">${msg(L).common.noAnswers}</span>`;
  if (m.tooFew || m.mean === null) return html`<span class="badge few">${why}</span>`;
  return html`<strong>${fmt(L, m.mean)}</strong>`;
}

const people = (L: Lang, m: { respondents?: number; n: number } | null | undefined) =>
  m ? `${int(L, m.respondents ?? m.n)} ${msg(L).common.respondents}` : "–";

export function changeHtml(L: Lang, c: Change | undefined, minAnswers: number): Html {
  if (!c) return html`<span class="muted">–</span>`;
  if (c.suppressed || c.difference === null)
    return html`<span class="muted" data-testid="change-suppressed">${msg(L).common.tooFewRespondentsTo(minAnswers)}</span>`;
  const sign = c.difference > 0 ? "+" : "";
  const ci = c.ci95 ? ` (95 %: ${fmt(L, c.ci95.low)} – ${fmt(L, c.ci95.high)})` : "";
  const verdict = c.significant
    ? html`<span class="badge ${c.difference > 0 ? "ok" : "bad"}">${msg(L).common.moreThanChance}</span>`
    : html`<span class="muted">${msg(L).common.withinChance}</span>`;
  return html`<span data-testid="change">${sign}${fmt(L, c.difference)}${ci}</span> ${verdict}`;
}

export function comparisonsTable(c: ComparisonInput, L: Lang): Html {
  const few = msg(L).common.tooFewRespondents;
  const service = msg(L).terms.surveyMethod;
  const rows: Html[] = [];
  const row = (id: string, what: string | Html, source: string | Html, v: Html, n: string, extra: Html | string = "") =>
    rows.push(
      html`<tr data-comparison="${id}"><th scope="row">${what}</th><td>${source}</td><td class="num">${v}</td><td class="num">${n}</td><td>${extra}</td></tr>`,
    );
  row(
    "own",
    html`${c.ownName} <span class="muted">(${periodName(c.period, L)})</span>`,
    service,
    value(L, c.own, few),
    people(L, c.own),
  );
  if (c.group !== undefined)
    row(
      "group",
      html`${msg(L).common.mySvarsgrupp}${c.group?.groupName ? html` <span class="muted">${c.group.groupName}</span>` : ""}`,
      service,
      value(L, c.group, few),
      people(L, c.group),
    );
  if (c.organization !== undefined)
    row("organization", msg(L).common.wholeCentre, service, value(L, c.organization, few), people(L, c.organization));
  if (c.previousPeriod)
    row(
      "previous-year",
      html`${msg(L).common.samePeriodLastYear} <span class="muted">(${periodName(c.previousPeriod, L)})</span>`,
      service,
      value(L, c.own.previousYear, few),
      people(L, c.own.previousYear),
      html`${msg(L).common.change}: ${changeHtml(L, c.own.change, c.minAnswers)}`,
    );
  const o = c.other;
  if (o) {
    const b = c.own.benchmark;
    row(
      "installation",
      msg(L).common.otherMunicipalitiesInThis,
      html`${o.installation.method} · ${msg(L).common.kAnonymousAtLeast(o.installation.minOrganizations, o.installation.minRespondents)}`,
      b
        ? html`<strong>${fmt(L, b.mean)}</strong>`
        : html`<span class="badge few">${msg(L).common.tooFewMunicipalities}</span>`,
      b ? `${b.organizations} ${msg(L).common.municipalities} · ${people(L, b)}` : "–",
    );
    const ex = o.exchange;
    const f = ex.figures[c.own.questionKey ?? "overall"] ?? null;
    const why =
      ex.unavailable === "not-whole-months"
        ? msg(L).common.exchangeHasWholeMonths
        : ex.unavailable === "no-peers"
          ? msg(L).common.noFiguresPulledFrom
          : msg(L).common.tooFewMunicipalities;
    row(
      "exchange",
      msg(L).common.otherMunicipalitiesViaBenchmark,
      html`${ex.method} · ${msg(L).common.signedFiguresFromOther(ex.minMunicipalities, ex.minRespondents)}${ex.importedAt ? html` · ${msg(L).common.pulled} ${ex.importedAt.slice(0, 10)}` : ""}`,
      f ? html`<strong>${fmt(L, f.mean)}</strong>` : html`<span class="badge few">${why}</span>`,
      f ? `${f.municipalities} ${msg(L).common.municipalities} · ${f.respondents} ${msg(L).common.respondents}` : "–",
    );
    if (o.published.lines.length === 0)
      row(
        "published",
        msg(L).common.publishedFiguresAnotherMethod,
        msg(L).common.importedPublishedComparisonsE,
        html`<span class="muted">${msg(L).common.noneForPeriod}</span>`,
        "–",
      );
    for (const line of o.published.lines)
      row(
        "published",
        html`${line.municipality}: ${line.measure} <span class="muted">(${line.period})</span>`,
        html`${line.source} · ${line.method}`,
        html`${fmt(L, line.value, 1)}`,
        line.n === null ? "–" : `n = ${int(L, line.n)}`,
        html`<span class="badge">${msg(L).common.anotherMethodNotDirectly}</span>`,
      );
  }
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${msg(L).common.comparisons}"><table data-testid="comparisons">
<caption>${msg(L).common.nkiMean15}</caption>
<thead><tr><th scope="col">${msg(L).common.comparison}</th><th scope="col">${msg(L).common.sourceAndMethod}</th><th scope="col" class="num">NKI</th><th scope="col" class="num">n</th><th scope="col">${msg(L).common.note}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
