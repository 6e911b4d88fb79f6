import type { Request } from "express";
import { LANG_COOKIE, readCookies } from "../auth/cookies.js";

export type Lang = "sv" | "en";

/** Swedish by default; English when the visitor chose it with the toggle. */
export function langOf(req: Request): Lang {
  return readCookies(req)[LANG_COOKIE] === "en" ? "en" : "sv";
}

const SHELL = {
  sv: {
    skip: "Hoppa till innehållet",
    brand: "NKI kundcenter",
    nav: "Huvudmeny",
    me: "Mina resultat",
    overview: "Översikt",
    queue: "Lyssningskö",
    search: "Sök",
    weekly: "Veckorapport",
    period: "Tertialrapport",
    admin: "Administration",
    audit: "Granskningslogg",
    signOut: "Logga ut",
    signedInAs: "Inloggad som",
    otherLang: "English",
    otherLangCode: "en",
    roles: { admin: "administratör", manager: "enhetschef", agent: "kommunvägledare" },
  },
  en: {
    skip: "Skip to content",
    brand: "NKI contact centre",
    nav: "Main menu",
    me: "My results",
    overview: "Overview",
    queue: "Listening queue",
    search: "Search",
    weekly: "Weekly report",
    period: "Tertial report",
    admin: "Administration",
    audit: "Audit log",
    signOut: "Sign out",
    signedInAs: "Signed in as",
    otherLang: "Svenska",
    otherLangCode: "sv",
    roles: { admin: "administrator", manager: "unit manager", agent: "agent" },
  },
} as const;

export const shellText = (lang: Lang) => SHELL[lang];

/** Picks the text for the language: `tr(lang, "Svenska", "English")`. */
export const tr = (lang: Lang, sv: string, en: string) => (lang === "en" ? en : sv);

/** Numbers the way each language writes them (4,33 in Swedish). */
export function fmt(lang: Lang, v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return v.toLocaleString(lang === "en" ? "en-GB" : "sv-SE", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function pct(lang: Lang, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return `${fmt(lang, v * 100, 0)} %`;
}
