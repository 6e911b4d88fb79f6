import { cellHtml, COLORS, targetBadge } from "../web/components.js";
import { html, type Html } from "../web/html.js";
import { fmt, pct, tr, type Lang } from "../web/i18n.js";
import { questionLabel } from "../web/questions.js";
import type { Metrics } from "./stats.js";
import type { ReportData, ReportGroup } from "./reports.js";
import type { ResultRow } from "./service.js";

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
const num = (L: Lang, m: Metrics | null | undefined) =>
  mean(m) === null ? (m && m.n > 0 ? html`<span class="muted">n=${m.n}</span>` : "–") : fmt(L, m!.mean);

export function formatQueue(seconds: number | null, _L: Lang): string {
  if (seconds === null) return "–";
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

function questionTable(rows: ResultRow[], L: Lang): Html {
  const body = rows.map(
    (r) =>
      html`<tr><th scope="row">${questionLabel(r.questionKey ?? "overall", L)}</th><td>${cellHtml(r, L)}</td><td class="num">${num(L, r.previousYear)}</td><td class="num">${r.benchmark ? html`${fmt(L, r.benchmark.mean)} <span class="muted">(${r.benchmark.organizations})</span>` : "–"}</td><td>${targetBadge(r.targetMet, L)}</td></tr>`,
  );
  return html`<table><thead><tr><th scope="col">${tr(L, "Fråga", "Question")}</th><th scope="col">${tr(L, "Denna period", "This period")}</th><th scope="col">${tr(L, "Förra året", "Last year")}</th><th scope="col">${tr(L, "Övriga kommuner", "Other municipalities")}</th><th scope="col">${tr(L, "Mål", "Target")}</th></tr></thead><tbody>${body}</tbody></table>`;
}

function groupTable(groups: ReportGroup[], L: Lang): Html {
  const q = (g: ReportGroup, key: string) => {
    const r = g.questions.find((x) => x.questionKey === key);
    return r ? html`${num(L, r)} ${r.targetMet === null ? "" : targetBadge(r.targetMet, L)}` : "–";
  };
  const body = groups.map(
    (g) =>
      html`<tr><th scope="row">${g.groupName}</th><td>${cellHtml(g.overall, L)}</td><td class="num">${num(L, g.overall.previousYear)}</td><td>${q(g, "bemotande")}</td><td>${q(g, "kunskap")}</td><td>${targetBadge(g.overall.targetMet, L)}</td></tr>`,
  );
  return html`<table><thead><tr><th scope="col">${tr(L, "Svarsgrupp", "Answer group")}</th><th scope="col">NKI</th><th scope="col">${tr(L, "Förra året", "Last year")}</th><th scope="col">${questionLabel("bemotande", L)}</th><th scope="col">${questionLabel("kunskap", L)}</th><th scope="col">${tr(L, "Mål NKI", "NKI target")}</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function renderReport(d: ReportData, L: Lang): Html {
  const title =
    d.kind === "weekly"
      ? `${tr(L, "Veckorapport", "Weekly report")} ${d.period.label}`
      : `${tr(L, "Periodrapport", "Period report")} ${d.period.label}`;
  const t = d.total;
  const lead = html`${tr(L, "Den generella nöjdheten", "Overall satisfaction")}: <strong>${num(L, t)}</strong> ${tr(L, "jämfört med", "against")} ${num(L, t.previousYear)} ${tr(L, "samma period förra året", "the same period last year")}${t.benchmark ? `; ${tr(L, "övriga kommuner", "other municipalities")} ${fmt(L, t.benchmark.mean)} (${t.benchmark.organizations})` : ""}. ${targetBadge(t.targetMet, L)}`;
  const qs = d.totalQuestions;
  const chartQ = barChart({
    title: tr(L, "Kundnöjdhet per fråga", "Satisfaction per question"),
    categories: qs.map((r) => questionLabel(r.questionKey!, L)),
    series: [
      { name: d.period.label, color: COLORS.me, values: qs.map(mean) },
      { name: d.previousPeriod.label, color: COLORS.org, values: qs.map((r) => mean(r.previousYear)) },
      {
        name: tr(L, "Övriga kommuner", "Other municipalities"),
        color: COLORS.bench,
        values: qs.map((r) => mean(r.benchmark)),
      },
    ],
    min: 1,
    max: 5,
    lang: L,
  });
  const chartG = barChart({
    title: tr(L, "NKI per svarsgrupp", "NKI per answer group"),
    categories: d.groups.map((g) => g.groupName),
    series: [
      { name: d.period.label, color: COLORS.me, values: d.groups.map((g) => mean(g.overall)) },
      { name: d.previousPeriod.label, color: COLORS.org, values: d.groups.map((g) => mean(g.overall.previousYear)) },
    ],
    min: 1,
    max: 5,
    lang: L,
  });
  const answerTime = d.groups.map(
    (g) =>
      html`<li><strong>${g.groupName}</strong>: ${tr(L, "betyg", "score")} ${num(L, g.answerTime)} ${tr(L, "och en snittkötid på", "with a mean queue time of")} ${formatQueue(g.meanQueueSeconds, L)} <span class="muted">(${g.calls} ${tr(L, "samtal", "calls")})</span></li>`,
  );
  const f = d.funnel;
  return html`<article class="report">
<h1>${title}</h1>
<p class="muted">${d.organizationName} · ${d.period.from} – ${d.period.to} · ${tr(L, "jämförs med", "compared with")} ${d.previousPeriod.from} – ${d.previousPeriod.to} · ${tr(L, "resultat med färre än", "results with fewer than")} ${d.minAnswers} ${tr(L, "svar visas inte", "answers are not shown")}</p>
<section><h2>${tr(L, "Bemötande och kunskap", "Treatment and knowledge")}</h2><p>${lead}</p>${chartQ}${questionTable(qs, L)}</section>
<section><h2>${tr(L, "Per svarsgrupp", "Per answer group")}</h2>${chartG}${groupTable(d.groups, L)}</section>
<section><h2>${tr(L, "Svarstid", "Waiting time")}</h2><p>${tr(L, "Hur kunderna upplevt svarstiden, bredvid den genomsnittliga kötiden", "How callers rated the waiting time, beside the mean queue time")} (${tr(L, "totalt", "total")} ${formatQueue(d.meanQueueSeconds, L)}):</p><ul>${answerTime}</ul></section>
<section><h2>${tr(L, "Undersökningen", "The survey")}</h2><p>${f.completedCalls} ${tr(L, "avslutade samtal", "completed calls")} → ${f.eligible} ${tr(L, "möjliga", "eligible")} → ${f.sampled} ${tr(L, "utvalda", "sampled")} → ${f.dialled} ${tr(L, "uppringda", "dialled")} → ${f.reachedPerson} ${tr(L, "svarade", "reached")} → ${f.completed} ${tr(L, "fullständiga", "complete")} + ${f.partial} ${tr(L, "delvisa", "partial")}. ${tr(L, "Svarsfrekvens", "Response rate")} ${pct(L, f.responseRate)}; ${f.voiceMessages} ${tr(L, "röstmeddelanden", "voice messages")}.</p></section>
</article>`;
}
