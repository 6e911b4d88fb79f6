/**
 * Pure parts of transcript search: turning what a manager types into
 * tsquery terms, and ts_headline's sentinel-marked text into parts the page
 * escapes itself (the database never returns HTML).
 *
 * PostgreSQL's Swedish stemmer joins many forms ("snöröjningen"/"snöröjning",
 * "bemötandet"/"bemötande", "handläggaren"/"handläggare") but leaves some
 * apart: "klagomålet" stays "klagomålet" while "klagomål" is "klagomål";
 * "förskolan" vs "förskol". Each word therefore matches as a prefix of its
 * stem ("klagomål" finds "klagomålet", "vänta" (stem "vänt") finds
 * "väntetiden"), and also as a prefix of the word with a definite or plural
 * ending taken off ("klagomålet" → "klagomål", "bygglovet" → "bygglov",
 * "förskolan" → "förskola"). What prefixes cannot join stays apart:
 * "väntetiden" does not find "vänta" (a compound's first part would match far
 * too much).
 */

/** Definite and plural endings, longest first; the root keeps at least MIN_ROOT letters. */
const ENDINGS = ["arna", "erna", "orna", "heten", "andet", "endet", "et", "en", "na", "er", "ar", "or", "n", "t"];
const MIN_ROOT = 4;
const MAX_WORDS = 8;

export const START_SEL = "\u0001";
export const STOP_SEL = "\u0002";

/** Words of the query: letters and digits only (so nothing can be tsquery syntax), lower-cased, at most 8. */
export function queryWords(q: string): string[] {
  const words = q.toLowerCase().match(/[\p{L}\d]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_WORDS);
}

/** The word itself and, when different, the word without its ending; each is matched as a stem prefix. */
export function wordVariants(word: string): string[] {
  const variants = [word];
  for (const e of ENDINGS) {
    if (word.endsWith(e) && word.length - e.length >= MIN_ROOT) {
      variants.push(word.slice(0, -e.length));
      break;
    }
  }
  return variants;
}

export interface HighlightPart {
  text: string;
  match: boolean;
}

/** Splits ts_headline output marked with START_SEL/STOP_SEL into plain parts. */
export function splitHighlight(marked: string): HighlightPart[] {
  const parts: HighlightPart[] = [];
  let rest = marked;
  while (rest.length > 0) {
    const s = rest.indexOf(START_SEL);
    if (s === -1) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (s > 0) parts.push({ text: rest.slice(0, s), match: false });
    const e = rest.indexOf(STOP_SEL, s + 1);
    const end = e === -1 ? rest.length : e;
    parts.push({ text: rest.slice(s + 1, end), match: true });
    rest = e === -1 ? "" : rest.slice(e + 1);
  }
  return parts.filter((p) => p.text.length > 0);
}
