import { en } from "./en/index.js";
import type { Messages } from "./messages.js";
import { sv } from "./sv/index.js";

export type Lang = "sv" | "en";
export type { Messages };

const CATALOGUES: Record<Lang, Messages> = { sv, en };

/** The message catalogue of a language: `msg(lang).admin.save`, `msg(lang).queue.week(48, 2026)`. */
export function msg(lang: Lang): Messages {
  return CATALOGUES[lang];
}

/** A skip or refusal reason in words ("dolt nummer"); an unknown code is shown as it is, never hidden. */
export function reasonName(code: string, lang: Lang): string {
  return msg(lang).terms.reasons[code] ?? code;
}
