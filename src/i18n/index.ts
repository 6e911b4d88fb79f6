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
