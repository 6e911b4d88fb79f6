import { createHash } from "node:crypto";
import { BoundedMap } from "./store.js";
import { plannedScore, type Persona } from "./personas.js";
import { mulberry32 } from "./wav.js";

/**
 * What the virtual citizens say in their voice messages: invented Swedish
 * praise, complaints, suggestions and questions about a kundcenter's matters.
 * Some carry an invented personnummer (valid control digit) or phone number
 * (PTS fiction range) so the demo shows masking. What a citizen says follows
 * the scores they pressed: a satisfied citizen praises, a dissatisfied one
 * complains.
 */
export const VOICE_TEXTS_BY_KIND = {
  praise: [
    "Hej, jag vill bara säga tack för hjälpen. Hon jag pratade med var jättetrevlig och kunnig.",
    "Stort tack till kommunvägledaren, jag fick svar om bygglovet direkt.",
    "Jag är väldigt nöjd med bemötandet, han var tålmodig och förklarade allt.",
    "Tack för ett trevligt samtal, det var skönt att någon lyssnade.",
    "Väntetiden var lång men hon som svarade var fantastisk.",
    "Jag vill ge beröm till personalen på kundcenter, ni gör ett bra jobb.",
  ],
  complaint: [
    "Snöröjningen på vår gata har inte kommit på tre dagar, det är inte okej. Ring mig på 070-174 06 05.",
    "Jag har väntat alldeles för länge i telefonkön, fyrtio minuter, det är oacceptabelt.",
    "Ingen har ringt tillbaka om min ansökan om försörjningsstöd fast det var lovat. Mitt personnummer är 19811218-9876.",
    "Handläggaren var otrevlig och jag fick fel besked om blanketten.",
    "Klagomålet gäller gatubelysningen vid skolan, den har varit trasig i en månad.",
    "Hemtjänsten kom inte i går och min mamma väntade hela dagen, jag är besviken. Hennes personnummer är 400101-2451.",
    "Det är dåligt att ni inte svarar på mejl, skriv till mig på kim.exempel@exempel.se.",
  ],
  suggestion: [
    "Jag har ett förslag: ni borde skicka ett sms när ärendet är klart.",
    "Det vore bra om man kunde boka tid via webben istället för att ringa.",
    "Ni skulle kunna ha öppet längre på kvällarna, då hinner man ringa efter jobbet.",
    "Mitt förslag är fler papperskorgar i parken vid biblioteket.",
  ],
  question: [
    "Jag undrar när sophämtningen kommer till vårt område efter helgen?",
    "Hur gör man för att söka plats i förskolan? Ni når mig på 08-123 456 78.",
  ],
  nothing: ["Nej, det var inget mer. Hej då."],
} as const;

export type VoiceKind = keyof typeof VOICE_TEXTS_BY_KIND;
export const VOICE_TEXTS: readonly string[] = Object.values(VOICE_TEXTS_BY_KIND).flat();

/** Satisfied (mean ≥ 4) mostly praise, dissatisfied (≤ 2.5) mostly complain, the rest suggest, ask or complain. `roll` in [0, 1). */
export function voiceKindFor(meanScore: number, roll: number): VoiceKind {
  if (meanScore >= 4) return roll < 0.75 ? "praise" : roll < 0.9 ? "suggestion" : "question";
  if (meanScore <= 2.5) return roll < 0.85 ? "complaint" : "question";
  return roll < 0.35 ? "suggestion" : roll < 0.65 ? "complaint" : roll < 0.9 ? "question" : "nothing";
}

/** The persona's mean planned score over the questions it answers. */
export function personaMeanScore(p: Persona): number {
  const keys = Object.keys(p.scoreMeans);
  if (keys.length === 0) return 3;
  return keys.reduce((sum, k) => sum + plannedScore(p, k), 0) / keys.length;
}

/** What this citizen says: same persona, same text. */
export function voiceTextFor(p: Persona): { kind: VoiceKind; text: string } {
  const rnd = mulberry32(p.seed ^ 0x5bd1e995);
  const kind = voiceKindFor(personaMeanScore(p), rnd());
  const texts = VOICE_TEXTS_BY_KIND[kind];
  return { kind, text: texts[Math.floor(rnd() * texts.length)] };
}

export function pickVoiceText(key: string): string {
  const n = createHash("sha256").update(key).digest().readUInt32BE(0);
  return VOICE_TEXTS[n % VOICE_TEXTS.length];
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * The text behind each recording, found again by its recording SID (the
 * MP3 the simulator serves carries it in a tag) or by the WAV's hash (the
 * service uploads exactly the bytes it downloaded).
 */
export class VoiceTextRegistry {
  private readonly byKey = new BoundedMap<string>(4_000);
  remember(rec: { sid: string; wav: Buffer }, text: string): void {
    this.byKey.set(rec.sid, text);
    this.byKey.set(sha256(rec.wav), text);
  }
  lookup(audio: Buffer, recordingSid: string | null = null): string | undefined {
    return (recordingSid ? this.byKey.get(recordingSid) : undefined) ?? this.byKey.get(sha256(audio));
  }
}
