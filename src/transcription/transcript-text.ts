import { msg, type Lang, type Messages } from "../i18n/index.js";

/** Texts of the transcript panel in the listening queue and of the search page (catalogue namespace transcripts). */
export type TranscriptText = Messages["transcripts"];
export const transcriptText = (lang: Lang): TranscriptText => msg(lang).transcripts;
