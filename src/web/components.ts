import { esc, fmt, pct, tr, type Lang } from "./i18n.js";

/** The metric fields the pages show; a subset of the results service's rows. */
export interface Cell {
  n: number;
  mean: number | null;
  satisfiedShare: number | null;
  index?: number | null;
  ci95?: { mean?: { low: number; high: number } | null } | null;
  tooFew?: boolean;
  targetMet?: boolean | null;
}

/** Mean with its interval and n; small samples say so instead of showing a confident number. */
export function cellHtml(c: Cell | null | undefined, lang: Lang): string {
  if (!c || c.n === 0) return `<span class="muted">${tr(lang, "inga svar", "no answers")}</span>`;
  if (c.tooFew || c.mean === null) {
    return `<span class="badge few">${tr(lang, "för få svar", "too few")}</span> <span class="muted">n=${c.n}</span>`;
  }
  const ci = c.ci95?.mean;
  const interval = ci ? ` <span class="muted">(${fmt(lang, ci.low)}–${fmt(lang, ci.high)})</span>` : "";
  return `<span class="cell"><strong>${fmt(lang, c.mean)}</strong>${interval}<br><span class="muted">${pct(lang, c.satisfiedShare)} ${tr(lang, "nöjda", "satisfied")} · n=${c.n}</span></span>`;
}

export function targetBadge(met: boolean | null | undefined, lang: Lang): string {
  if (met === true) return `<span class="badge ok">✓ ${tr(lang, "mål nått", "target met")}</span>`;
  if (met === false) return `<span class="badge bad">✗ ${tr(lang, "under mål", "below target")}</span>`;
  return `<span class="muted">–</span>`;
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
  lang: Lang;
}): string {
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
        `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#c9d0d8"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
    )
    .join("");
  const step = Math.max(1, Math.ceil(n / 8));
  const xl = opts.labels
    .map((l, i) =>
      i % step === 0 || i === n - 1 ? `<text x="${x(i)}" y="${H - 8}" text-anchor="middle">${esc(l)}</text>` : "",
    )
    .join("");
  const lines = opts.series
    .map((s) => {
      let d = "";
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null) return void (pen = false);
        d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      const dots = s.values
        .map((v, i) =>
          v === null ? "" : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`,
        )
        .join("");
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>${dots}`;
    })
    .join("");
  const legend = opts.series
    .map(
      (s) =>
        `<span style="display:inline-flex;align-items:center;gap:.3rem;margin-right:1rem"><svg width="24" height="8" aria-hidden="true"><line x1="0" x2="24" y1="4" y2="4" stroke="${s.color}" stroke-width="3"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/></svg>${esc(s.name)}</span>`,
    )
    .join("");
  const table = `<table><caption class="muted">${esc(opts.title)}</caption><thead><tr><th scope="col">${tr(opts.lang, "Period", "Period")}</th>${opts.series.map((s) => `<th scope="col" class="num">${esc(s.name)}</th>`).join("")}</tr></thead><tbody>${opts.labels
    .map(
      (l, i) =>
        `<tr><th scope="row">${esc(l)}</th>${opts.series.map((s) => `<td class="num">${fmt(opts.lang, s.values[i])}</td>`).join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
  return `<figure class="chart-figure"><svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(opts.title)}">${grid}${xl}${lines}</svg>
<figcaption>${legend}</figcaption>
<details><summary>${tr(opts.lang, "Visa som tabell", "Show as a table")}</summary><div class="table-wrap" tabindex="0">${table}</div></details></figure>`;
}

export const COLORS = { me: "#0b5394", group: "#b45309", org: "#4a5360", bench: "#6b3fa0" };
