import { int } from "../format.js";
/** Swedish texts: the web survey page chrome (src/websurvey; the questions are the flow's). */
export const websurvey = {
  title: "Vad tyckte du om samtalet?",
  intro: (org: string) => `Du pratade nyligen med ${org}. Svara på några korta frågor; det tar ungefär en minut.`,
  progress: (n: number, total: number) => `Fråga ${n} av ${total}`,
  scaleHint: (low: string, high: string) => `1 betyder ${low.toLowerCase()}, 5 betyder ${high.toLowerCase()}.`,
  next: "Nästa",
  commentLabel: "Din kommentar (frivillig)",
  send: "Skicka",
  thanks: "Tack för dina svar!",
  thanksText: "Dina svar hjälper oss att bli bättre. Du kan stänga sidan nu.",
  byPhone: "Du har redan svarat på enkäten i telefon. Tack!",
  closed: "Enkäten är stängd",
  closedText: "Den här enkäten tar inte emot fler svar. Tack ändå för att du ville svara.",
  expired: "Länken har gått ut",
  expiredText: "Länken till enkäten gällde i sju dagar och har nu slutat gälla. Tack ändå för att du ville svara.",
  invalid: "Länken fungerar inte",
  invalidText:
    "Vi hittar ingen enkät för den här länken. Kontrollera att hela länken från sms:et kom med. Tack för att du ville svara.",
  errorTitle: "Något behöver rättas",
  privacy: "Vi sparar dina svar utan namn och telefonnummer.",
  readMore: "Läs mer om hur kommunen behandlar personuppgifter:",
  brand: "Kundenkät",
  /** A flow's defaults when it has no written texts of its own (src/websurvey/rules.ts). */
  defaultLow: "Mycket missnöjd",
  defaultHigh: "Mycket nöjd",
  defaultComment: "Vill du lägga till något med egna ord?",
  /** Why a posted form was refused; the field is named beside it. */
  refused: {
    score: (min: number, max: number) => `svaret måste vara ${min}–${max}`,
    commentMax: (n: number) => `högst ${int("sv", n)} tecken`,
    noSuchQuestion: "frågan finns inte i den här enkäten",
    oneAnswerAtATime: "ett svar i taget",
  },
};
