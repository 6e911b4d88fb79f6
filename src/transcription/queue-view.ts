import type { AppContext } from "../context.js";
import { userNames } from "../auth/users.js";
import { getOrganization } from "../organizations/service.js";
import { rulesFor } from "./classify-service.js";
import { suggest, type Suggestion } from "./classify.js";
import type { Segment } from "./transcriber.js";
import { LOW_CONFIDENCE } from "./rules.js";

/** A piece of the shown text: a word the server was unsure of is `uncertain`. */
export interface TextPart {
  text: string;
  uncertain: boolean;
}

/** What the listening queue shows under one player. */
export interface QueueTranscript {
  voiceMessageId: string;
  status: "pending" | "done" | "failed" | "skipped";
  /** The automatic text, split where the server marked words as uncertain (one part when it gave no confidences). */
  parts: TextPart[] | null;
  /** True when some part is uncertain (the legend is shown only then). */
  hasUncertain: boolean;
  text: string | null;
  correctedText: string | null;
  correctedBy: string | null;
  correctedAt: Date | null;
  lastError: string | null;
  attempts: number;
  suggestion: Suggestion | null;
}

/**
 * The automatic text with the words below the threshold marked. Only when
 * the segments still spell out the stored text (masking drops a changed
 * segment's words): otherwise the text is shown whole, unmarked.
 */
export function markUncertain(text: string, segments: unknown, threshold = LOW_CONFIDENCE): TextPart[] {
  const segs = Array.isArray(segments) ? (segments as Segment[]) : [];
  const parts: TextPart[] = [];
  let rest = text;
  for (const s of segs) {
    const words = Array.isArray(s.words) ? s.words : [];
    if (words.length === 0) continue;
    for (const w of words) {
      const word = String(w.word ?? "").trim();
      if (!word) continue;
      const at = rest.indexOf(word);
      if (at === -1) continue;
      if (at > 0) parts.push({ text: rest.slice(0, at), uncertain: false });
      const uncertain = typeof w.probability === "number" && w.probability < threshold;
      parts.push({ text: word, uncertain });
      rest = rest.slice(at + word.length);
    }
  }
  if (rest) parts.push({ text: rest, uncertain: false });
  // Neighbouring certain parts join, so the page is plain text wherever nothing is marked.
  const joined: TextPart[] = [];
  for (const p of parts) {
    const last = joined[joined.length - 1];
    if (last && !last.uncertain && !p.uncertain) last.text += p.text;
    else joined.push({ ...p });
  }
  return joined;
}

/**
 * The transcripts of one page of the listening queue, with the suggestion
 * (from the organization's rules and the citizen's scores the queue already
 * holds) and the corrector's name. Messages without a transcript are absent.
 */
export async function transcriptsForQueue(
  ctx: Pick<AppContext, "prisma">,
  organizationId: string,
  items: readonly { id: string; scores: Record<string, number> }[],
): Promise<Map<string, QueueTranscript>> {
  const out = new Map<string, QueueTranscript>();
  if (items.length === 0) return out;
  const rows = await ctx.prisma.transcript.findMany({
    where: { organizationId, voiceMessageId: { in: items.map((i) => i.id) } },
    select: {
      voiceMessageId: true,
      status: true,
      text: true,
      segments: true,
      correctedText: true,
      correctedById: true,
      correctedAt: true,
      lastError: true,
      attempts: true,
    },
  });
  if (rows.length === 0) return out;
  const rules = await rulesFor(ctx, organizationId);
  const correctors = await userNames(
    ctx.prisma,
    organizationId,
    rows.flatMap((r) => (r.correctedById ? [r.correctedById] : [])),
  );
  const scores = new Map(items.map((i) => [i.id, i.scores]));
  for (const r of rows) {
    const shown = r.correctedText ?? r.text;
    const parts = r.text ? markUncertain(r.text, r.segments) : null;
    out.set(r.voiceMessageId, {
      voiceMessageId: r.voiceMessageId,
      status: r.status,
      parts,
      hasUncertain: parts?.some((p) => p.uncertain) ?? false,
      text: r.text,
      correctedText: r.correctedText,
      correctedBy: r.correctedById ? (correctors.get(r.correctedById) ?? null) : null,
      correctedAt: r.correctedAt,
      lastError: r.lastError,
      attempts: r.attempts,
      suggestion: shown ? suggest(rules, shown, scores.get(r.voiceMessageId) ?? null) : null,
    });
  }
  return out;
}

/** Whether the organization's transcripts are masked (the correction form says so). */
export async function masksIdentifiers(ctx: Pick<AppContext, "prisma">, organizationId: string): Promise<boolean> {
  const { settings } = await getOrganization(ctx.prisma, organizationId);
  return !settings.transcriptKeepIdentifiers;
}
