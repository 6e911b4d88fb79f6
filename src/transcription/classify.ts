import { z } from "zod";

/**
 * The suggested classification of a voice message: transparent rules an admin
 * can read and edit (cue words and phrases per category, the citizen's own
 * scores, förvaltning keywords), and the reasons that produced the
 * suggestion. Pure. A suggestion is only shown; the manager decides.
 */
export const CATEGORIES = ["klagomal", "berom", "forslag", "fraga"] as const;
export type Category = (typeof CATEGORIES)[number];
export type Classification = Category | "inget";

export const rulesSchema = z.object({
  /** Cue words and phrases per category; each matches at a word start, so "klagomål" also matches "klagomålet". */
  cues: z.object({
    klagomal: z.array(z.string().min(1).max(100)).max(500),
    berom: z.array(z.string().min(1).max(100)).max(500),
    forslag: z.array(z.string().min(1).max(100)).max(500),
    fraga: z.array(z.string().min(1).max(100)).max(500),
  }),
  /** The citizen's mean keypad score (1–5) adds one point: at or below `low` to klagomål, at or above `high` to beröm. */
  scores: z.object({ low: z.number().min(1).max(5), high: z.number().min(1).max(5) }),
  /** Points a category needs to be suggested; below it for all, "inget att registrera". */
  minPoints: z.number().int().min(1).max(20),
  /** On a tie, the category first in this list wins. */
  tieOrder: z.array(z.enum(CATEGORIES)).length(4),
  /** Förvaltning name → keywords (word starts, like the cues). */
  forvaltningar: z.record(z.string().min(1).max(200), z.array(z.string().min(1).max(100)).max(500)),
});
export type ClassificationRules = z.infer<typeof rulesSchema>;

export type Reason =
  | { kind: "cue"; category: Category; phrase: string }
  | { kind: "score"; category: Category; mean: number }
  | { kind: "forvaltning"; forvaltning: string; keyword: string };

export interface Suggestion {
  classification: Classification;
  forvaltning: string | null;
  points: Record<Category, number>;
  reasons: Reason[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** At a word start when the cue begins with a letter or digit ("?" matches anywhere). */
function cuePattern(cue: string): RegExp {
  const c = escape(cue.toLowerCase().trim()).replace(/\s+/g, "\\s+");
  return new RegExp(/^[\p{L}\d]/u.test(cue.trim()) ? `(?<![\\p{L}\\d])${c}` : c, "gu");
}

/**
 * Longer cues first, and a matched stretch is used up: "inte nöjd" (klagomål)
 * takes its "nöjd" away from beröm's "nöjd".
 */
export function suggest(
  rules: ClassificationRules,
  text: string,
  scores: Record<string, number> | null = null,
): Suggestion {
  let rest = ` ${text.toLowerCase()} `;
  const points: Record<Category, number> = { klagomal: 0, berom: 0, forslag: 0, fraga: 0 };
  const reasons: Reason[] = [];
  const cues = CATEGORIES.flatMap((category) => rules.cues[category].map((phrase) => ({ category, phrase })));
  cues.sort((a, b) => b.phrase.length - a.phrase.length);
  for (const { category, phrase } of cues) {
    const re = cuePattern(phrase);
    if (!re.test(rest)) continue;
    rest = rest.replace(cuePattern(phrase), (m) => " ".repeat(m.length));
    points[category]++;
    reasons.push({ kind: "cue", category, phrase });
  }
  const values = Object.values(scores ?? {});
  if (values.length > 0) {
    const mean = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
    if (mean <= rules.scores.low) {
      points.klagomal++;
      reasons.push({ kind: "score", category: "klagomal", mean });
    } else if (mean >= rules.scores.high) {
      points.berom++;
      reasons.push({ kind: "score", category: "berom", mean });
    }
  }
  let best: Category | null = null;
  for (const c of rules.tieOrder)
    if (points[c] >= rules.minPoints && (best === null || points[c] > points[best])) best = c;

  const lower = ` ${text.toLowerCase()} `;
  let forvaltning: string | null = null;
  let forvaltningHits = 0;
  for (const [name, keywords] of Object.entries(rules.forvaltningar)) {
    const hits = keywords.filter((k) => cuePattern(k).test(lower));
    if (hits.length > forvaltningHits) {
      forvaltning = name;
      forvaltningHits = hits.length;
    }
  }
  if (forvaltning) {
    for (const keyword of rules.forvaltningar[forvaltning].filter((k) => cuePattern(k).test(lower)))
      reasons.push({ kind: "forvaltning", forvaltning, keyword });
  }
  return { classification: best ?? "inget", forvaltning, points, reasons };
}
