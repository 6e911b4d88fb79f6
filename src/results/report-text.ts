import { tr, type Lang } from "../web/i18n.js";
import type { Period } from "./periods.js";

/**
 * Names used by the report page, its print header and its exports, so the
 * page, the navigation and the files say the same thing ("Tertialrapport
 * P3 2026", "Veckorapport vecka 48, 2026").
 */
const MONTHS_SV = [
  "januari",
  "februari",
  "mars",
  "april",
  "maj",
  "juni",
  "juli",
  "augusti",
  "september",
  "oktober",
  "november",
  "december",
];
const MONTHS_EN = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** A period as people say it: "P3 2026", "vecka 48, 2026", "mars 2026", "2026". */
export function periodName(p: Period, L: Lang): string {
  const year = Number(p.label.slice(0, 4));
  switch (p.kind) {
    case "tertial":
      return `P${p.label.slice(6)} ${year}`;
    case "week":
      return `${tr(L, "vecka", "week")} ${Number(p.label.slice(6))}, ${year}`;
    case "month": {
      const m = Number(p.label.slice(5, 7)) - 1;
      return `${(L === "en" ? MONTHS_EN : MONTHS_SV)[m]} ${year}`;
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
      return tr(L, "Tertialrapport", "Tertial report");
    case "week":
      return tr(L, "Veckorapport", "Weekly report");
    case "month":
      return tr(L, "Månadsrapport", "Monthly report");
    case "year":
      return tr(L, "Årsrapport", "Annual report");
    default:
      return tr(L, "Rapport", "Report");
  }
}

export const reportTitle = (p: Period, L: Lang): string => `${reportName(p, L)} ${periodName(p, L)}`;

/** Swedish names of the listening queue's classifications. */
export function classificationName(key: string, L: Lang): string {
  const sv: Record<string, string> = {
    klagomal: "Klagomål",
    berom: "Beröm",
    forslag: "Förslag",
    fraga: "Fråga",
    inget: "Inget att registrera",
  };
  const en: Record<string, string> = {
    klagomal: "Complaint",
    berom: "Praise",
    forslag: "Suggestion",
    fraga: "Question",
    inget: "Nothing to register",
  };
  return (L === "en" ? en : sv)[key] ?? key;
}
