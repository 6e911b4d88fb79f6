import { html, type Html } from "./html.js";
import { fmt, int, pct, msg, type Lang } from "./i18n.js";

/** The metric fields the pages show; a subset of the results service's rows. */
export interface Cell {
  /** Answers (svar). */
  n: number;
  /** Citizens (svarande); the minimum-n rule is about them. */
  respondents?: number;
  mean: number | null;
  satisfiedShare: number | null;
  index?: number | null;
  ci95?: { mean?: { low: number; high: number } | null } | null;
  tooFew?: boolean;
  targetMet?: boolean | null;
}

/** Mean with its interval and n; small samples say so instead of showing a confident number. */
export function cellHtml(c: Cell | null | undefined, lang: Lang): Html {
  if (!c || c.n === 0) return html`<span class="muted">${msg(lang).common.noAnswers}</span>`;
  if (c.tooFew || c.mean === null) {
    const people = c.respondents ?? c.n;
    return html`<span class="badge few">${msg(lang).common.tooFewRespondents}</span> <span class="muted">${int(lang, people)} ${msg(lang).common.respondents}${people !== c.n ? html` · ${int(lang, c.n)} ${msg(lang).common.answers}` : ""}</span>`;
  }
  const ci = c.ci95?.mean;
  const interval = ci && html` <span class="muted">(${fmt(lang, ci.low)}–${fmt(lang, ci.high)})</span>`;
  return html`<span class="cell"><strong>${fmt(lang, c.mean)}</strong>${interval}<br><span class="muted">${pct(lang, c.satisfiedShare)} ${msg(lang).common.satisfied} · n=${c.n}</span></span>`;
}

/** A row judged against its targets (the results API's targetMet and targets). */
export interface Judged {
  targetMet?: boolean | null;
  targets?: readonly { position?: "under" | "within" | "above" | null; upper?: number | null }[];
}

/**
 * The verdict against the targets: met, under, and for a band (e.g. 75–80 %)
 * within or above it. Takes the row, or just targetMet for plain targets.
 */
export function targetBadge(judged: boolean | null | undefined | Judged, lang: Lang): Html {
  const row: Judged = typeof judged === "object" && judged !== null ? judged : { targetMet: judged };
  const met = row.targetMet;
  const checks = row.targets ?? [];
  if (met === false) return html`<span class="badge bad">✗ ${msg(lang).common.belowTarget}</span>`;
  if (met === true && checks.some((c) => c.position === "above"))
    return html`<span class="badge ok">↑ ${msg(lang).common.aboveTargetBand}</span>`;
  if (met === true && checks.some((c) => c.upper !== null && c.upper !== undefined))
    return html`<span class="badge ok">✓ ${msg(lang).common.withinTargetBand}</span>`;
  if (met === true) return html`<span class="badge ok">✓ ${msg(lang).common.targetMet}</span>`;
  return html`<span class="muted">–</span>`;
}

export interface Series {
  name: string;
  /** One value per x label; null = no data (a gap). */
  values: (number | null)[];
  color: string;
  dash?: string;
}

/**
 * A line chart as inline SVG (no library, no script): readable without
 * JavaScript, printable, and described by a table for screen readers.
 */
export function lineChart(opts: {
  labels: string[];
  series: Series[];
  min?: number;
  max?: number;
  title: string;
  /** A sentence for screen readers on what the chart shows (the table below holds the numbers). */
  desc?: string;
  lang: Lang;
}): Html {
  const W = 640,
    H = 220,
    L = 36,
    R = 10,
    T = 10,
    B = 28;
  const min = opts.min ?? 1,
    max = opts.max ?? 5;
  const n = opts.labels.length;
  const x = (i: number) => L + (n <= 1 ? 0 : (i * (W - L - R)) / (n - 1));
  const y = (v: number) => T + ((max - v) * (H - T - B)) / (max - min);
  const grid = [1, 2, 3, 4, 5]
    .filter((v) => v >= min && v <= max)
    .map(
      (v) =>
        html`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#c9d0d8"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
    );
  const step = Math.max(1, Math.ceil(n / 8));
  const xl = opts.labels.map(
    (l, i) => (i % step === 0 || i === n - 1) && html`<text x="${x(i)}" y="${H - 8}" text-anchor="middle">${l}</text>`,
  );
  const lines = opts.series.map((s) => {
    // The path is numbers and M/L only, built here; interpolation still escapes it.
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) return void (pen = false);
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    const dots = s.values.map(
      (v, i) => v !== null && html`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`,
    );
    return html`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash && html` stroke-dasharray="${s.dash}"`}/>${dots}`;
  });
  const legend = opts.series.map(
    (s) =>
      html`<span class="legend-item"><svg width="24" height="8" aria-hidden="true"><line x1="0" x2="24" y1="4" y2="4" stroke="${s.color}" stroke-width="3"${s.dash && html` stroke-dasharray="${s.dash}"`}/></svg>${s.name}</span>`,
  );
  const table = html`<table><caption class="muted">${opts.title}</caption><thead><tr><th scope="col">${msg(opts.lang).common.period}</th>${opts.series.map((s) => html`<th scope="col" class="num">${s.name}</th>`)}</tr></thead><tbody>${opts.labels.map(
    (l, i) =>
      html`<tr><th scope="row">${l}</th>${opts.series.map((s) => html`<td class="num">${fmt(opts.lang, s.values[i])}</td>`)}</tr>`,
  )}</tbody></table>`;
  return html`<figure class="chart-figure"><svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${opts.title}"><title>${opts.title}</title>${opts.desc && html`<desc>${opts.desc}</desc>`}${grid}${xl}${lines}</svg>
<figcaption>${legend}</figcaption>
<details><summary>${msg(opts.lang).common.showAsTable}</summary><div class="table-wrap" tabindex="0">${table}</div></details></figure>`;
}

export const COLORS = { me: "#0b5394", group: "#b45309", org: "#4a5360", bench: "#6b3fa0" };

/**
 * One step of the survey funnel drawn to scale: a bar as long as the step's
 * share of the first step (the SVG's own width, as the CSP allows no style=),
 * with the share written beside it. The count stands in its own column.
 */
export function funnelBar(n: number, first: number, lang: Lang): Html {
  const share = first > 0 ? n / first : 0;
  return html`<div class="funnel-bar"><svg class="fill" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true"><rect width="${(100 * Math.min(1, share)).toFixed(1)}" height="1"/></svg><span class="share">${pct(lang, share)}</span></div>`;
}
