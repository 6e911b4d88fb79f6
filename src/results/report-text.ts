import { msg, type Lang } from "../web/i18n.js";
import type { Period } from "./periods.js";

/**
 * Names used by the report page, its print header and its exports, so the
 * page, the navigation and the files say the same thing ("Tertialrapport
 * P3 2026", "Veckorapport vecka 48, 2026").
 */
/** A period as people say it: "P3 2026", "vecka 48, 2026", "mars 2026", "2026". */
export function periodName(p: Period, L: Lang): string {
  const year = Number(p.label.slice(0, 4));
  switch (p.kind) {
    case "tertial":
      return `P${p.label.slice(6)} ${year}`;
    case "week":
      return `${msg(L).reports.week} ${Number(p.label.slice(6))}, ${year}`;
    case "month": {
      const m = Number(p.label.slice(5, 7)) - 1;
      return `${msg(L).terms.months[m]} ${year}`;
    }
    case "year":
      return String(year);
    default:
      return `${p.from} – ${p.to}`;
  }
}

/** The report's name for a kind of period: Tertialrapport, Veckorapport, Månadsrapport, Årsrapport. */
export function reportName(p: Period, L: Lang): string {
  switch (p.kind) {
    case "tertial":
      return msg(L).reports.tertialReport;
    case "week":
      return msg(L).reports.weeklyReport;
    case "month":
      return msg(L).reports.monthlyReport;
    case "year":
      return msg(L).reports.annualReport;
    default:
      return msg(L).reports.report;
  }
}

export const reportTitle = (p: Period, L: Lang): string => `${reportName(p, L)} ${periodName(p, L)}`;

/** The name of a listening-queue classification in the language. */
export function classificationName(key: string, L: Lang): string {
  return msg(L).terms.classes[key] ?? key;
}
