import type { Lang } from "./i18n.js";

/** Short names of the NKI questions (the keys of flows/nki-*.json) for tables and charts. */
const LABELS: Record<string, { sv: string; en: string }> = {
  overall: { sv: "NKI totalt", en: "Overall NKI" },
  svarstid: { sv: "Svarstid", en: "Waiting time" },
  bemotande: { sv: "Bemötande", en: "Treatment" },
  engagemang: { sv: "Engagemang", en: "Engagement" },
  kunskap: { sv: "Kunskap", en: "Knowledge" },
  fick_hjalp: { sv: "Fick hjälp", en: "Got help" },
  helhet: { sv: "Helhetsintryck", en: "Overall impression" },
  rekommendera: { sv: "Rekommendera kommunen", en: "Recommend the municipality" },
};

export const QUESTION_ORDER = [
  "overall",
  "svarstid",
  "bemotande",
  "engagemang",
  "kunskap",
  "fick_hjalp",
  "helhet",
  "rekommendera",
];

export function questionLabel(key: string, lang: Lang): string {
  return LABELS[key]?.[lang] ?? key;
}

export function sortQuestions<T extends { questionKey: string }>(rows: T[]): T[] {
  const rank = (k: string) => QUESTION_ORDER.indexOf(k) + 1 || 99;
  return [...rows].sort(
    (a, b) => rank(a.questionKey) - rank(b.questionKey) || a.questionKey.localeCompare(b.questionKey),
  );
}
