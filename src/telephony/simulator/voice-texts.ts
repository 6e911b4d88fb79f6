import { createHash } from "node:crypto";
import { BoundedMap } from "./store.js";

/**
 * What the virtual citizens say in their voice messages: invented Swedish
 * praise, complaints, suggestions and questions about a kundcenter's matters.
 * Some carry an invented personnummer (valid control digit) or phone number
 * (PTS fiction range) so the demo shows masking.
 */
export const VOICE_TEXTS: readonly string[] = [
  "Hej, jag vill bara säga tack för hjälpen. Hon jag pratade med var jättetrevlig och kunnig.",
  "Stort tack till kommunvägledaren, jag fick svar om bygglovet direkt.",
  "Jag är väldigt nöjd med bemötandet, han var tålmodig och förklarade allt.",
  "Snöröjningen på vår gata har inte kommit på tre dagar, det är inte okej. Ring mig på 070-174 06 05.",
  "Jag har väntat alldeles för länge i telefonkön, fyrtio minuter, det är oacceptabelt.",
  "Ingen har ringt tillbaka om min ansökan om försörjningsstöd fast det var lovat. Mitt personnummer är 19811218-9876.",
  "Handläggaren var otrevlig och jag fick fel besked om blanketten.",
  "Klagomålet gäller gatubelysningen vid skolan, den har varit trasig i en månad.",
  "Jag har ett förslag: ni borde skicka ett sms när ärendet är klart.",
  "Det vore bra om man kunde boka tid via webben istället för att ringa.",
  "Ni skulle kunna ha öppet längre på kvällarna, då hinner man ringa efter jobbet.",
  "Jag undrar när sophämtningen kommer till vårt område efter helgen?",
  "Hur gör man för att söka plats i förskolan? Ni når mig på 08-123 456 78.",
  "Hemtjänsten kom inte i går och min mamma väntade hela dagen. Hennes personnummer är 400101-2451.",
  "Tack för ett trevligt samtal, det var skönt att någon lyssnade.",
  "Väntetiden var lång men hon som svarade var fantastisk.",
  "Mitt förslag är fler papperskorgar i parken vid biblioteket.",
  "Det är dåligt att ni inte svarar på mejl, skriv till mig på kim.exempel@exempel.se.",
  "Nej, det var inget mer. Hej då.",
  "Jag vill ge beröm till personalen på kundcenter, ni gör ett bra jobb.",
];

export function pickVoiceText(key: string): string {
  const n = createHash("sha256").update(key).digest().readUInt32BE(0);
  return VOICE_TEXTS[n % VOICE_TEXTS.length];
}

/** The text behind each recorded WAV, found again by the audio's hash (the service uploads exactly those bytes). */
export class VoiceTextRegistry {
  private readonly byHash = new BoundedMap<string>(2_000);
  remember(wav: Buffer, text: string): void {
    this.byHash.set(createHash("sha256").update(wav).digest("hex"), text);
  }
  lookup(audio: Buffer): string | undefined {
    return this.byHash.get(createHash("sha256").update(audio).digest("hex"));
  }
}
