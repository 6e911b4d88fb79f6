import type { Request } from "express";
import { LANG_COOKIE, readCookies } from "../auth/cookies.js";
import { msg, type Lang } from "../i18n/index.js";

export { msg, type Lang };
export { fmt, int, num, pct } from "../i18n/format.js";

/** Swedish by default; English when the visitor chose it with the toggle. */
export function langOf(req: Request): Lang {
  return readCookies(req)[LANG_COOKIE] === "en" ? "en" : "sv";
}

export const shellText = (lang: Lang) => msg(lang).shell;
