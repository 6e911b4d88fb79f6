/**
 * Replaces identifiers in a transcript with markers before it is stored:
 * personal identity numbers, phone numbers, e-mail addresses and street
 * addresses with a number. Pure: text in, text and counts out.
 *
 * Order matters: a personal identity number is ten or twelve digits and would
 * otherwise be read as a phone number, so it is masked first, and only when
 * its date and Luhn control digit are valid (a ten-digit number that fails
 * the check, such as 0701740605, is left for the phone rule).
 */

export const MARKERS = {
  personnummer: "[personnummer]",
  telefonnummer: "[telefonnummer]",
  epost: "[e-post]",
  adress: "[adress]",
} as const;

export type IdentifierKind = keyof typeof MARKERS;
export type MaskCounts = Record<IdentifierKind, number>;

export interface MaskResult {
  text: string;
  counts: MaskCounts;
}

/** Luhn over the ten digits YYMMDDNNNC (the century is not part of the check). */
export function luhnValid(tenDigits: string): boolean {
  if (!/^\d{10}$/.test(tenDigits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(tenDigits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Month 01–12 and day 01–31, or 61–91 for a samordningsnummer. */
function plausibleDate(yymmdd: string): boolean {
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  return month >= 1 && month <= 12 && ((day >= 1 && day <= 31) || (day >= 61 && day <= 91));
}

// Digits not glued to other digits or letters: "(?<![\p{L}\d])" works where \b does not (å, ä, ö).
const NOT_BEFORE = String.raw`(?<![\p{L}\d])`;
const NOT_AFTER = String.raw`(?![\p{L}\d])`;

/** 19850312-1234, 198503121234, 850312-1234, 8503121234, 850312+1234, 850312 1234, 19850312 - 1234. */
const PERSONNUMMER = new RegExp(
  String.raw`${NOT_BEFORE}((?:19|20)?)(\d{2})\s?(\d{2})\s?(\d{2})\s{0,2}[-+–]?\s{0,2}(\d{4})${NOT_AFTER}`,
  "gu",
);

/**
 * A Swedish (0…, +46…, 0046…) or international (+…) number written with
 * spaces, hyphens, slashes or parentheses: 7 to 15 digits in all.
 */
const PHONE = new RegExp(String.raw`${NOT_BEFORE}(?:\+|00|\(0|0)[\d\s\-–/()]{5,22}\d${NOT_AFTER}`, "gu");

const EMAIL = /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}/gu;
/** How a speech model may write an address it heard: "anna punkt berg snabel-a exempel punkt se". */
const SPOKEN_EMAIL =
  /[\p{L}\d]+(?:\s(?:punkt|dot)\s[\p{L}\d]+)*\s(?:snabel[- ]?a|at)\s[\p{L}\d-]+(?:\s(?:punkt|dot)\s[\p{L}\d-]+)+/giu;

const STREET_SUFFIX =
  "gatan|gata|vägen|väg|gränd|gränden|torget|torg|stigen|allén|allé|backen|leden|platsen|plan|kajen|esplanaden|promenaden|parken|stråket|vägen|liden|backen|hagen";
/** "Storgatan 12", "storgatan 12 B", "Sankt Eriksgatan 5a", "Kungsvägen 3, lgh 1102". */
const STREET = new RegExp(
  String.raw`${NOT_BEFORE}(?:(?:sankt|s:t|norra|södra|östra|västra|lilla|stora|gamla)\s)?\p{L}*(?:${STREET_SUFFIX})\s+\d{1,4}(?:\s?[a-hA-H](?![\p{L}\d]))?(?:,?\s*(?:lgh|lägenhet)\s*\d{3,4})?${NOT_AFTER}`,
  "giu",
);
/** A postal code with its town: "123 45 Storstad", "12345 Storstad". */
const POSTAL_CODE = new RegExp(String.raw`${NOT_BEFORE}\d{3}\s?\d{2}\s+\p{Lu}\p{L}+`, "gu");

export function maskIdentifiers(input: string): MaskResult {
  const counts: MaskCounts = { personnummer: 0, telefonnummer: 0, epost: 0, adress: 0 };
  let text = input.replace(
    PERSONNUMMER,
    (whole, _century: string, yy: string, mm: string, dd: string, tail: string) => {
      const ten = `${yy}${mm}${dd}${tail}`;
      if (!plausibleDate(`${yy}${mm}${dd}`) || !luhnValid(ten)) return whole;
      counts.personnummer++;
      return MARKERS.personnummer;
    },
  );
  text = text.replace(EMAIL, () => {
    counts.epost++;
    return MARKERS.epost;
  });
  text = text.replace(SPOKEN_EMAIL, () => {
    counts.epost++;
    return MARKERS.epost;
  });
  text = text.replace(PHONE, (whole) => {
    const digits = whole.replace(/\D/g, "").length;
    if (digits < 7 || digits > 15) return whole;
    counts.telefonnummer++;
    // Keep a trailing space the pattern may not have eaten; the marker replaces only the number.
    return MARKERS.telefonnummer;
  });
  text = text.replace(STREET, () => {
    counts.adress++;
    return MARKERS.adress;
  });
  text = text.replace(POSTAL_CODE, () => {
    counts.adress++;
    return MARKERS.adress;
  });
  return { text, counts };
}

export function totalMasked(counts: MaskCounts): number {
  return counts.personnummer + counts.telefonnummer + counts.epost + counts.adress;
}
