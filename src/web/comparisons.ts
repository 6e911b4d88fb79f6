import type { OtherSources } from "../exchange/comparisons.js";
import type { Period } from "../results/periods.js";
import type { ResultRow } from "../results/service.js";
import type { Change, Metrics } from "../results/stats.js";
import { periodName } from "../results/report-text.js";
import { html, type Html } from "./html.js";
import { fmt, tr, type Lang } from "./i18n.js";

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

const SERVICE_METHOD = ["NKI-enkät efter samtal, knappsats 1–5", "Post-call NKI survey, keypad 1–5"] as const;

function value(L: Lang, m: { mean: number | null; n: number; tooFew?: boolean } | null | undefined, why: string): Html {
  if (!m || m.n === 0) return html`<span class="muted">${tr(L, "inga svar", "no answers")}</span>`;
  if (m.tooFew || m.mean === null) return html`<span class="badge few">${why}</span>`;
  return html`<strong>${fmt(L, m.mean)}</strong>`;
}

const people = (L: Lang, m: { respondents?: number; n: number } | null | undefined) =>
  m ? `${m.respondents ?? m.n} ${tr(L, "svarande", "respondents")}` : "–";

export function changeHtml(L: Lang, c: Change | undefined, minAnswers: number): Html {
  if (!c) return html`<span class="muted">–</span>`;
  if (c.suppressed || c.difference === null)
    return html`<span class="muted" data-testid="change-suppressed">${tr(L, `för få svarande för att jämföra (minst ${minAnswers} båda åren)`, `too few respondents to compare (at least ${minAnswers} in both years)`)}</span>`;
  const sign = c.difference > 0 ? "+" : "";
  const ci = c.ci95 ? ` (95 %: ${fmt(L, c.ci95.low)} – ${fmt(L, c.ci95.high)})` : "";
  const verdict = c.significant
    ? html`<span class="badge ${c.difference > 0 ? "ok" : "bad"}">${tr(L, "mer än slumpen", "more than chance")}</span>`
    : html`<span class="muted">${tr(L, "inom slumpens marginal", "within chance")}</span>`;
  return html`<span data-testid="change">${sign}${fmt(L, c.difference)}${ci}</span> ${verdict}`;
}

export function comparisonsTable(c: ComparisonInput, L: Lang): Html {
  const few = tr(L, "för få svarande", "too few respondents");
  const service = tr(L, ...SERVICE_METHOD);
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
      html`${tr(L, "Min svarsgrupp", "My svarsgrupp")}${c.group?.groupName ? html` <span class="muted">${c.group.groupName}</span>` : ""}`,
      service,
      value(L, c.group, few),
      people(L, c.group),
    );
  if (c.organization !== undefined)
    row(
      "organization",
      tr(L, "Hela kundcenter", "Whole centre"),
      service,
      value(L, c.organization, few),
      people(L, c.organization),
    );
  if (c.previousPeriod)
    row(
      "previous-year",
      html`${tr(L, "Samma period förra året", "Same period last year")} <span class="muted">(${periodName(c.previousPeriod, L)})</span>`,
      service,
      value(L, c.own.previousYear, few),
      people(L, c.own.previousYear),
      html`${tr(L, "Förändring", "Change")}: ${changeHtml(L, c.own.change, c.minAnswers)}`,
    );
  const o = c.other;
  if (o) {
    const b = c.own.benchmark;
    row(
      "installation",
      tr(L, "Andra kommuner i samma installation", "Other municipalities in this installation"),
      html`${o.installation.method} · ${tr(L, `k-anonymt: minst ${o.installation.minOrganizations} andra kommuner med minst ${o.installation.minRespondents} svarande var`, `k-anonymous: at least ${o.installation.minOrganizations} other municipalities with at least ${o.installation.minRespondents} respondents each`)}`,
      b
        ? html`<strong>${fmt(L, b.mean)}</strong>`
        : html`<span class="badge few">${tr(L, "för få kommuner", "too few municipalities")}</span>`,
      b ? `${b.organizations} ${tr(L, "kommuner", "municipalities")} · ${people(L, b)}` : "–",
    );
    const ex = o.exchange;
    const f = ex.figures[c.own.questionKey ?? "overall"] ?? null;
    const why =
      ex.unavailable === "not-whole-months"
        ? tr(L, "utbytet har bara hela månader", "the exchange has whole months only")
        : ex.unavailable === "no-peers"
          ? tr(L, "inga siffror hämtade från andra installationer", "no figures pulled from other installations")
          : tr(L, "för få kommuner", "too few municipalities");
    row(
      "exchange",
      tr(L, "Andra kommuner via jämförelseutbytet", "Other municipalities via the benchmark exchange"),
      html`${ex.method} · ${tr(L, `signerade siffror från andra installationer, minst ${ex.minMunicipalities} kommuner med minst ${ex.minRespondents} svarande var`, `signed figures from other installations, at least ${ex.minMunicipalities} municipalities with at least ${ex.minRespondents} respondents each`)}${ex.importedAt ? html` · ${tr(L, "hämtat", "pulled")} ${ex.importedAt.slice(0, 10)}` : ""}`,
      f ? html`<strong>${fmt(L, f.mean)}</strong>` : html`<span class="badge few">${why}</span>`,
      f
        ? `${f.municipalities} ${tr(L, "kommuner", "municipalities")} · ${f.respondents} ${tr(L, "svarande", "respondents")}`
        : "–",
    );
    if (o.published.lines.length === 0)
      row(
        "published",
        tr(L, "Publicerade siffror (annan metod)", "Published figures (another method)"),
        tr(
          L,
          "import av publicerade jämförelser, t.ex. SKR:s servicemätning",
          "imported published comparisons, e.g. SKR's service measurement",
        ),
        html`<span class="muted">${tr(L, "inga för perioden", "none for the period")}</span>`,
        "–",
      );
    for (const line of o.published.lines)
      row(
        "published",
        html`${line.municipality}: ${line.measure} <span class="muted">(${line.period})</span>`,
        html`${line.source} · ${line.method}`,
        html`${fmt(L, line.value, 1)}`,
        line.n === null ? "–" : `n = ${line.n}`,
        html`<span class="badge">${tr(L, "annan metod – jämförs inte direkt", "another method – not directly comparable")}</span>`,
      );
  }
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${tr(L, "Jämförelser", "Comparisons")}"><table data-testid="comparisons">
<caption>${tr(L, "NKI (medel 1–5) jämfört med andra, med källa, metod och antal svarande", "NKI (mean 1–5) compared with others, with source, method and number of respondents")}</caption>
<thead><tr><th scope="col">${tr(L, "Jämförelse", "Comparison")}</th><th scope="col">${tr(L, "Källa och metod", "Source and method")}</th><th scope="col" class="num">NKI</th><th scope="col" class="num">n</th><th scope="col">${tr(L, "Anmärkning", "Note")}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
