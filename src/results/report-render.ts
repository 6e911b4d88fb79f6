import { COLORS, funnelBar, targetBadge } from "../web/components.js";
import { html, joinHtml, type Html } from "../web/html.js";
import { fmt, int, pct, msg, type Lang } from "../web/i18n.js";
import { questionLabel, QUESTION_ORDER } from "../web/questions.js";
import type { Change, Metrics } from "./stats.js";
import { periodNav } from "../web/period-nav.js";
import { channelNames, channelSuffix, channelSwitch } from "../web/channel-switch.js";
import type { ReportData, ReportGroup } from "./reports.js";
import { classificationName, periodName, reportName, reportTitle } from "./report-text.js";

/**
 * The report as HTML (inner body for renderPage): server-made inline SVG
 * charts, no scripts, no external assets, so it prints as it shows.
 */
interface BarSeries {
  name: string;
  color: string;
  values: (number | null)[];
}

export function barChart(o: {
  title: string;
  categories: string[];
  series: BarSeries[];
  min: number;
  max: number;
  lang: Lang;
  digits?: number;
}): Html {
  const W = 640,
    H = 240,
    L = 40,
    B = 54,
    T = 24;
  const groupW = (W - L - 10) / Math.max(1, o.categories.length);
  const barW = Math.min(28, (groupW - 12) / Math.max(1, o.series.length));
  const y = (v: number) => T + ((o.max - Math.max(o.min, Math.min(o.max, v))) * (H - T - B)) / (o.max - o.min);
  const ticks = [];
  for (let v = o.min; v <= o.max; v += (o.max - o.min) / 4) ticks.push(v);
  const grid = ticks.map(
    (v) =>
      html`<line x1="${L}" x2="${W - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#c9d0d8"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(o.lang, v, 0)}</text>`,
  );
  const bars = o.categories.map((c, ci) => {
    const x0 = L + ci * groupW + (groupW - barW * o.series.length) / 2;
    const rects = o.series.map((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined) return "";
      return html`<rect x="${x0 + si * barW}" y="${y(v)}" width="${barW - 2}" height="${y(o.min) - y(v)}" fill="${s.color}"><title>${s.name}: ${fmt(o.lang, v, o.digits ?? 2)}</title></rect>`;
    });
    return html`${rects}<text x="${L + ci * groupW + groupW / 2}" y="${H - B + 16}" text-anchor="middle">${c.length > 14 ? `${c.slice(0, 13)}…` : c}</text>`;
  });
  const legend = o.series.map(
    (s, i) =>
      html`<rect x="${L + i * 170}" y="${H - 18}" width="12" height="12" fill="${s.color}"/><text x="${L + i * 170 + 16}" y="${H - 8}">${s.name}</text>`,
  );
  return html`<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.title}" font-size="11" font-family="sans-serif">${grid}${bars}${legend}</svg><figcaption>${o.title}</figcaption></figure>`;
}

const mean = (m: Metrics | null | undefined) => (m && !m.tooFew && m.mean !== null ? m.mean : null);

/** A mean, or why there is none; "svarande" are citizens, "svar" answers (seven per citizen in the NKI total). */
function num(L: Lang, m: Metrics | null | undefined): Html | string {
  if (!m || m.n === 0) return "–";
  if (mean(m) === null)
    return html`<span class="muted">${msg(L).reports.tooFewRespondents} (${int(L, m.respondents)})</span>`;
  return fmt(L, m.mean);
}

function nText(L: Lang, m: Metrics | null | undefined): string {
  if (!m) return "–";
  return `${int(L, m.respondents)} ${msg(L).reports.respondents} · ${int(L, m.n)} ${msg(L).reports.answers}`;
}

function changeText(L: Lang, c: Change | undefined): Html | string {
  if (!c || c.suppressed || c.difference === null) return "–";
  const sign = c.difference > 0 ? "+" : "";
  const ci = c.ci95 ? ` (${fmt(L, c.ci95.low)} – ${fmt(L, c.ci95.high)})` : "";
  return html`${sign}${fmt(L, c.difference)}${ci}${c.significant ? html` <span class="badge">${msg(L).reports.significant}</span>` : ""}`;
}

export function formatQueue(seconds: number | null, _L: Lang): string {
  if (seconds === null) return "–";
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

const wrap = (caption: string, head: Html, body: Html[] | Html, testid: string) =>
  html`<div class="table-wrap" tabindex="0" role="region" aria-label="${caption}"><table data-testid="${testid}"><caption>${caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`;

function questionTable(d: ReportData, L: Lang): Html {
  const body = d.totalQuestions.map(
    (r) =>
      html`<tr><th scope="row">${questionLabel(r.questionKey ?? "overall", L)}</th><td class="num">${num(L, r)}</td><td class="num">${r.respondents}</td><td class="num">${num(L, r.previousYear)}</td><td class="num">${changeText(L, r.change)}</td><td class="num">${r.benchmark ? html`${fmt(L, r.benchmark.mean)} <span class="muted">(${r.benchmark.organizations} ${msg(L).reports.municipalities})</span>` : "–"}</td><td>${targetBadge(r, L)}</td></tr>`,
  );
  const t = d.total;
  const totalRow = html`<tr class="total"><th scope="row">${questionLabel("overall", L)}</th><td class="num">${num(L, t)}</td><td class="num">${t.respondents}</td><td class="num">${num(L, t.previousYear)}</td><td class="num">${changeText(L, t.change)}</td><td class="num">${t.benchmark ? fmt(L, t.benchmark.mean) : "–"}</td><td>${targetBadge(t, L)}</td></tr>`;
  return wrap(
    msg(L).reports.meanScore15,
    html`<tr><th scope="col">${msg(L).reports.question}</th><th scope="col">${periodName(d.period, L)}</th><th scope="col">${msg(L).reports.respondents2}</th><th scope="col">${msg(L).reports.samePeriodLastYear} (${periodName(d.previousPeriod, L)})</th><th scope="col">${msg(L).reports.change95Interval}</th><th scope="col">${msg(L).reports.otherMunicipalities}</th><th scope="col">${msg(L).reports.target}</th></tr>`,
    [totalRow, ...body],
    "report-questions",
  );
}

/** The question keys present in the report, in the flow's order. */
export function questionKeys(d: ReportData): string[] {
  const keys = new Set(d.totalQuestions.map((r) => r.questionKey!));
  for (const g of d.groups) for (const q of g.questions) keys.add(q.questionKey!);
  const order = (k: string) => (QUESTION_ORDER.indexOf(k) < 0 ? 99 : QUESTION_ORDER.indexOf(k));
  return [...keys].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

function groupTable(d: ReportData, L: Lang): Html {
  const keys = questionKeys(d);
  const q = (g: ReportGroup, key: string) => {
    const r = g.questions.find((x) => x.questionKey === key);
    return r
      ? html`${num(L, r)}${r.targetMet === false ? html` <span class="badge bad" title="${msg(L).reports.belowTarget}">✗</span>` : ""}`
      : "–";
  };
  const body = d.groups.map(
    (g) =>
      html`<tr><th scope="row">${g.groupName}</th><td class="num">${num(L, g.overall)}</td><td class="num">${num(L, g.overall.previousYear)}</td>${keys.map((k) => html`<td class="num">${q(g, k)}</td>`)}<td class="num">${g.overall.respondents}</td><td>${targetBadge(g.overall, L)}</td></tr>`,
  );
  return wrap(
    msg(L).reports.meanScore152,
    html`<tr><th scope="col">${msg(L).reports.answerGroup}</th><th scope="col">NKI</th><th scope="col">${msg(L).reports.nkiLastYear}</th>${keys.map((k) => html`<th scope="col">${questionLabel(k, L)}</th>`)}<th scope="col">${msg(L).reports.respondents2}</th><th scope="col">${msg(L).reports.nkiTarget}</th></tr>`,
    body,
    "report-groups",
  );
}

function answerTimeTable(d: ReportData, L: Lang): Html {
  const body = d.groups.map(
    (g) =>
      html`<tr><th scope="row">${g.groupName}</th><td class="num">${num(L, g.answerTime)}</td><td class="num">${g.answerTime?.respondents ?? 0}</td><td class="num">${formatQueue(g.meanQueueSeconds, L)}</td><td class="num">${g.calls}</td></tr>`,
  );
  const calls = d.groups.reduce((a, g) => a + g.calls, 0);
  const at = d.totalQuestions.find((r) => r.questionKey === "svarstid");
  return wrap(
    msg(L).reports.waitingTimeScoreMean,
    html`<tr><th scope="col">${msg(L).reports.answerGroup}</th><th scope="col">${msg(L).reports.waitingTimeScore1}</th><th scope="col">${msg(L).reports.respondents2}</th><th scope="col">${msg(L).reports.meanQueueTime}</th><th scope="col">${msg(L).reports.answeredCalls}</th></tr>`,
    [
      ...body,
      html`<tr class="total"><th scope="row">${msg(L).reports.wholeContactCentre}</th><td class="num">${num(L, at)}</td><td class="num">${at?.respondents ?? 0}</td><td class="num">${formatQueue(d.meanQueueSeconds, L)}</td><td class="num">${calls}</td></tr>`,
    ],
    "report-answer-time",
  );
}

/** The survey funnel as rows [label, count]; shared with the exports. */
export function funnelRows(d: ReportData, L: Lang): [string, number][] {
  const f = d.funnel;
  return [
    [msg(L).reports.completedCalls, f.completedCalls],
    [msg(L).reports.eligible, f.eligible],
    [msg(L).reports.sampled, f.sampled],
    [msg(L).reports.dialled, f.dialled],
    [msg(L).reports.reachedPerson, f.reachedPerson],
    [msg(L).reports.completeSurveys, f.completed],
    [msg(L).reports.partialSurveys, f.partial],
    [msg(L).reports.voiceMessages, f.voiceMessages],
    [msg(L).reports.smsSent, f.smsSent],
    [msg(L).reports.linkOpened, f.linkOpened],
    [msg(L).reports.answeredOnWeb, f.answeredOnWeb],
  ];
}

function funnelTable(d: ReportData, L: Lang): Html {
  return html`${wrap(
    msg(L).reports.fromCompletedCallTo,
    html`<tr><th scope="col">${msg(L).reports.step}</th><th scope="col" class="num">${msg(L).reports.count}</th><th scope="col">${msg(L).reports.shareOfCompletedCalls}</th></tr>`,
    funnelRows(d, L).map(
      ([k, v]) =>
        html`<tr><th scope="row">${k}</th><td class="num">${int(L, v)}</td><td class="bar">${funnelBar(v, d.funnel.completedCalls, L)}</td></tr>`,
    ),
    "report-funnel",
  )}<p>${msg(L).reports.responseRate}: <strong data-testid="response-rate">${pct(L, d.funnel.responseRate)}</strong>; ${msg(L).reports.phoneAndWebOf}: <strong data-testid="response-rate-all">${pct(L, d.funnel.responseRateAllChannels)}</strong></p>`;
}

function reviewSection(d: ReportData, L: Lang): Html {
  const r = d.reviews;
  if (r.total === 0) return html`<p>${msg(L).reports.noVoiceMessagesWere}</p>`;
  const cats = wrap(
    msg(L).reports.voiceMessagesPerCategory,
    html`<tr><th scope="col">${msg(L).reports.category}</th><th scope="col">${msg(L).reports.count}</th><th scope="col">${msg(L).reports.registered}</th><th scope="col">${msg(L).reports.notRegistered}</th></tr>`,
    [
      ...r.byCategory.map(
        (c) =>
          html`<tr><th scope="row">${classificationName(c.classification, L)}</th><td class="num">${int(L, c.total)}</td><td class="num">${c.needsRegistration ? int(L, c.registered) : "–"}</td><td class="num">${c.needsRegistration ? int(L, c.total - c.registered) : "–"}</td></tr>`,
      ),
      html`<tr><th scope="row">${msg(L).reports.notReviewed}</th><td class="num">${int(L, r.unreviewed)}</td><td class="num">–</td><td class="num">–</td></tr>`,
    ],
    "report-reviews-category",
  );
  const forv = r.byForvaltning.length
    ? wrap(
        msg(L).reports.feedbackComplaintsPraiseSuggestions,
        html`<tr><th scope="col">${msg(L).reports.department}</th><th scope="col">${msg(L).reports.feedback}</th><th scope="col">${msg(L).reports.registered}</th><th scope="col">${msg(L).reports.notRegistered}</th></tr>`,
        r.byForvaltning.map(
          (f) =>
            html`<tr><th scope="row">${f.forvaltning || msg(L).reports.noneGiven}</th><td class="num">${int(L, f.total)}</td><td class="num">${int(L, f.registered)}</td><td class="num">${int(L, f.notRegistered)}</td></tr>`,
        ),
        "report-reviews-forvaltning",
      )
    : "";
  const examples = r.examples.length
    ? html`<h3>${msg(L).reports.examplesFromManagerS}</h3><ul class="notes">${r.examples.map(
        (e) =>
          html`<li><span class="muted">${e.recordedAt.toISOString().slice(0, 10)} · ${e.groupName}${e.classification ? ` · ${classificationName(e.classification, L)}` : ""}${e.forvaltning ? ` · ${e.forvaltning}` : ""}</span><br>${e.note}</li>`,
      )}</ul>`
    : "";
  const quotes = d.transcriptQuotes.length
    ? html`<h3>${msg(L).reports.quotesFromCorrectedVoice}</h3><p class="muted">${msg(L).reports.excerptsOfTextCorrected}</p><ul class="notes quotes">${d.transcriptQuotes.map(
        (q) =>
          html`<li><span class="muted">${q.recordedAt.toISOString().slice(0, 10)} · ${q.groupName}${q.classification ? ` · ${classificationName(q.classification, L)}` : ""}${q.forvaltning ? ` · ${q.forvaltning}` : ""}</span><blockquote><p>${q.excerpt}</p></blockquote></li>`,
      )}</ul>`
    : "";
  return html`<p>${int(L, r.total)} ${msg(L).reports.voiceMessages2}; ${msg(L).reports.feedbackRegistered} ${int(L, r.registered)}, ${msg(L).reports.notRegistered2} ${int(L, r.notRegistered)}.</p>${cats}${forv}${examples}${quotes}`;
}

function trendTable(d: ReportData, L: Lang): Html {
  return wrap(
    msg(L).reports.nkiPerPeriodWith,
    html`<tr><th scope="col">${msg(L).reports.period}</th><th scope="col">NKI</th><th scope="col">${msg(L).reports.respondents2}</th><th scope="col">${msg(L).reports.samePeriodLastYear}</th><th scope="col">${msg(L).reports.change95Interval}</th></tr>`,
    d.trend.map(
      (p) =>
        html`<tr><th scope="row">${periodName(p.period, L)}</th><td class="num">${num(L, p)}</td><td class="num">${int(L, p.respondents)}</td><td class="num">${num(L, p.previousYear)}</td><td class="num">${changeText(L, p.change)}</td></tr>`,
    ),
    "report-trend",
  );
}

function coachingSection(d: ReportData, L: Lang): Html {
  const c = d.coaching;
  const intro = html`<p class="muted">${c.window.from} – ${c.window.to}; ${int(L, c.agentsTested)} ${msg(L).reports.agentsTested}, ${int(L, c.agentsTooFewAnswers)} ${msg(L).reports.withTooFewAnswers}.</p>`;
  if (c.flags.length === 0) return html`${intro}<p>${msg(L).reports.noSignalsNoAgent}</p>`;
  return html`${intro}${wrap(
    msg(L).reports.agentsBelowTheirGroup,
    html`<tr><th scope="col">${msg(L).reports.agent}</th><th scope="col">${msg(L).reports.answerGroup}</th><th scope="col">${msg(L).reports.question}</th><th scope="col">${msg(L).reports.mean}</th><th scope="col">${msg(L).reports.answers2}</th><th scope="col">${msg(L).reports.comparedWith}</th></tr>`,
    c.flags.map(
      (f) =>
        html`<tr><th scope="row">${f.agentName ?? f.agentExternalId}</th><td>${f.groupName}</td><td>${questionLabel(f.questionKey, L)}</td><td class="num">${fmt(L, f.mean)}</td><td class="num">${f.n}</td><td>${f.reference.kind === "group" ? `${msg(L).reports.group} ${fmt(L, f.reference.mean)}` : `${msg(L).reports.target2} ${fmt(L, f.reference.threshold)}`}</td></tr>`,
    ),
    "report-coaching",
  )}`;
}

/** The app's period navigation (previous/next, a picker for any period) and the downloads; neither is printed. */
function navigation(d: ReportData, L: Lang): Html {
  const base = d.kind === "weekly" ? "/reports/weekly" : "/reports/period";
  const here = `?period=${encodeURIComponent(d.period.label)}`;
  const q = `${here}${channelSuffix(d.channel)}`;
  return html`${periodNav({ path: base, period: d.period, lang: L, keep: { channel: d.channel } })}
${channelSwitch({ href: `${base}${here}`, channel: d.channel, channels: d.channels, lang: L })}
<p class="report-exports noprint">${msg(L).reports.downloadReport}: <a href="${base}.xlsx${q}" download>Excel (XLSX)</a> · <a href="${base}.csv${q}" download>CSV</a></p>`;
}

export function renderReport(d: ReportData, L: Lang): Html {
  const title = reportTitle(d.period, L);
  const qs = d.totalQuestions;
  const chartQ = barChart({
    title: msg(L).reports.meanPerQuestionPeriod,
    categories: qs.map((r) => questionLabel(r.questionKey!, L)),
    series: [
      { name: periodName(d.period, L), color: COLORS.me, values: qs.map(mean) },
      { name: periodName(d.previousPeriod, L), color: COLORS.org, values: qs.map((r) => mean(r.previousYear)) },
      {
        name: msg(L).reports.otherMunicipalities,
        color: COLORS.bench,
        values: qs.map((r) => mean(r.benchmark)),
      },
    ],
    min: 1,
    max: 5,
    lang: L,
  });
  const chartT = d.trend.length
    ? barChart({
        title: msg(L).reports.nkiPerPeriodAnd,
        categories: d.trend.map((p) => periodName(p.period, L)),
        series: [
          { name: "NKI", color: COLORS.me, values: d.trend.map(mean) },
          {
            name: msg(L).reports.lastYear,
            color: COLORS.org,
            values: d.trend.map((p) => mean(p.previousYear)),
          },
        ],
        min: 1,
        max: 5,
        lang: L,
      })
    : "";
  const t = d.total;
  const sections: [string, string, Html][] = [
    [
      "questions",
      msg(L).reports.resultsPerQuestionFor,
      html`<p>NKI (${channelNames(d.channels, L)}) ${num(L, t)} (${nText(L, t)}) ${msg(L).reports.against} ${num(L, t.previousYear)} ${msg(L).reports.samePeriodLastYear2}.${t.targetMet === null || t.targetMet === undefined ? "" : html` ${targetBadge(t, L)}`}</p>${chartQ}${questionTable(d, L)}`,
    ],
    ["groups", msg(L).reports.allQuestionsPerAnswer, groupTable(d, L)],
    ["answer-time", msg(L).reports.waitingTimePerAnswer, answerTimeTable(d, L)],
    ["funnel", msg(L).reports.surveyAndResponseRate, funnelTable(d, L)],
    ["reviews", msg(L).reports.feedbackFromListeningQueue, reviewSection(d, L)],
    ["trend", msg(L).reports.nkiOverTime, d.trend.length ? html`${chartT}${trendTable(d, L)}` : html`<p>–</p>`],
    ["coaching", msg(L).reports.coachingSignalsOfPeriod, coachingSection(d, L)],
  ];
  const running = `${d.organizationName} · ${title}`;
  return html`<article class="report" data-testid="report">
<table class="report-print" role="presentation"><thead><tr><td class="report-running">${running}</td></tr></thead><tbody><tr><td>
<h1>${title}</h1>
<p class="muted">${d.organizationName} · ${d.period.from} – ${d.period.to} · ${msg(L).reports.comparedWith2} ${periodName(d.previousPeriod, L)} (${d.previousPeriod.from} – ${d.previousPeriod.to})</p>
<p class="muted">${msg(L).reports.respondentsCitizensWhoAnswered} ${int(L, d.minAnswers)} ${msg(L).reports.respondentsAreNotShown}</p>
${navigation(d, L)}
${joinHtml(sections.map(([id, h, body]) => html`<section class="report-section" id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${h}</h2>${body}</section>`))}
</td></tr></tbody></table>
</article>`;
}

export { reportName };
