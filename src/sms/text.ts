/**
 * The SMS text (pure). It names the municipality, says it takes about a
 * minute, carries the link and says how to stop. Kept within two segments
 * where possible: GSM-7 (which has å, ä, ö, é, ü) allows 2 × 153 characters,
 * UCS-2 (any other character, e.g. an organization name with "ø" or an emoji)
 * only 2 × 67, so the long form is tried first and then shorter ones.
 */

// GSM 03.38 basic character set; the extension table's characters count twice.
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENDED = "^{}\\[~]|€\f";

export interface SmsEncoding {
  encoding: "GSM-7" | "UCS-2";
  /** Length in encoding units (septets for GSM-7, UTF-16 code units for UCS-2). */
  units: number;
  segments: number;
}

export function smsEncoding(text: string): SmsEncoding {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) septets += 1;
    else if (GSM7_EXTENDED.includes(ch)) septets += 2;
    else {
      const units = text.length;
      return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

export type SmsLanguage = "sv" | "en";

const FORMS: Record<SmsLanguage, ((org: string, link: string) => string)[]> = {
  sv: [
    (org, link) =>
      `Tack för att du ringde ${org}! Vi nådde dig inte på telefon. Svara gärna på några frågor om samtalet, det tar ungefär en minut: ${link} Svara STOPP för att inte få fler frågor.`,
    (org, link) =>
      `Tack för att du ringde ${org}! Svara gärna på några frågor, det tar ungefär en minut: ${link} Svara STOPP för att inte få fler frågor.`,
    (org, link) => `${org}: svara på en enkät om ditt samtal (ca 1 minut): ${link} Svara STOPP för att slippa fler.`,
  ],
  en: [
    (org, link) =>
      `Thank you for calling ${org}! We could not reach you by phone. Please answer a few questions about your call, it takes about a minute: ${link} Reply STOPP to get no more questions.`,
    (org, link) =>
      `Thank you for calling ${org}! Please answer a few questions, it takes about a minute: ${link} Reply STOPP to get no more questions.`,
    (org, link) => `${org}: a survey about your call (about 1 minute): ${link} Reply STOPP to get no more.`,
  ],
};

const MAX_SEGMENTS = 2;

/** The longest form that fits two segments, else the shortest form (the link and STOPP are never dropped). */
export function composeSmsText(input: { organizationName: string; link: string; language: SmsLanguage }): string {
  const org = input.organizationName.replace(/\s+/g, " ").trim().slice(0, 60);
  const forms = FORMS[input.language].map((f) => f(org, input.link));
  return forms.find((t) => smsEncoding(t).segments <= MAX_SEGMENTS) ?? forms[forms.length - 1];
}

/** The reply to STOPP, and the language-neutral fallback for numbers we cannot tell. */
export const STOP_CONFIRMATION = "Du får inga fler enkäter från oss. / You will not receive any more surveys from us.";
