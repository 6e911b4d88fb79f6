import { msg, type Lang } from "./i18n.js";

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

/** The short name of an NKI question (a key of flows/nki-*.json) for tables and charts. */
export function questionLabel(key: string, lang: Lang): string {
  return msg(lang).terms.questions[key] ?? key;
}

export function sortQuestions<T extends { questionKey: string }>(rows: T[]): T[] {
  const rank = (k: string) => QUESTION_ORDER.indexOf(k) + 1 || 99;
  return [...rows].sort(
    (a, b) => rank(a.questionKey) - rank(b.questionKey) || a.questionKey.localeCompare(b.questionKey),
  );
}
