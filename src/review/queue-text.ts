import { msg, type Lang, type Messages } from "../i18n/index.js";

/** Texts of the listening queue page (catalogue namespace queue). */
export type QueueText = Messages["queue"];
export const queueText = (lang: Lang): QueueText => msg(lang).queue;

/** Question order as the survey asks them; unknown keys follow alphabetically. */
export const QUESTION_ORDER = [
  "svarstid",
  "bemotande",
  "engagemang",
  "kunskap",
  "fick_hjalp",
  "helhet",
  "rekommendera",
];
