import type { Lang } from "./index.js";

/**
 * The one place numbers become text on pages, reports and XLSX labels.
 * Swedish: decimal comma and U+202F (narrow no-break space) between thousands,
 * so a figure never wraps; Intl's sv-SE gives U+00A0, normalised here. A
 * percent sign follows after a no-break space ("75 %"). CSV files do not use
 * this: they stay machine-readable (decimal point, no grouping).
 */
const NBSP = "\u00a0";
export const THIN = "\u202f";

const cache = new Map<string, Intl.NumberFormat>();
function formatter(lang: Lang, min: number, max: number): Intl.NumberFormat {
  const key = `${lang}:${min}:${max}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === "en" ? "en-GB" : "sv-SE", {
      minimumFractionDigits: min,
      maximumFractionDigits: max,
    });
    cache.set(key, f);
  }
  return f;
}

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

/** A number with exactly `digits` decimals: 4,33 / 1 234,50 in Swedish. "–" when there is none. */
export function fmt(lang: Lang, v: number | null | undefined, digits = 2): string {
  if (missing(v)) return "–";
  return formatter(lang, digits, digits).format(v).replaceAll(NBSP, THIN);
}

/** A count or other whole number: 12 345 in Swedish (narrow no-break space). */
export function int(lang: Lang, v: number | null | undefined): string {
  return fmt(lang, v, 0);
}

/** A number with up to `max` decimals, none when whole: 4,2 / 4 / 0,25. */
export function num(lang: Lang, v: number | null | undefined, max = 2): string {
  if (missing(v)) return "–";
  return formatter(lang, 0, max).format(v).replaceAll(NBSP, THIN);
}

/** A share (0..1) as a whole percent: 75 %. */
export function pct(lang: Lang, v: number | null | undefined, digits = 0): string {
  if (missing(v)) return "–";
  return `${fmt(lang, v * 100, digits)}${NBSP}%`;
}
