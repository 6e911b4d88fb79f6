import type { AppContext } from "../context.js";
import { maskIdentifiers } from "./masking.js";

/** A short quote from a manager-corrected transcript, for a report's synpunkter section. */
export interface TranscriptQuote {
  recordedAt: Date;
  groupName: string;
  classification: string | null;
  forvaltning: string | null;
  excerpt: string;
}

export const QUOTE_MAX_CHARS = 240;

/** The start of a text, cut at a word boundary, with "…" when cut. */
export function excerptOf(text: string, max = QUOTE_MAX_CHARS): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, "")} …`;
}

/**
 * The newest corrected transcripts of messages recorded in [start, end):
 * only corrections (a manager has read them; automatic text may be wrong),
 * identifiers masked even where the organization keeps them in the queue
 * (a report travels further), and short.
 */
export async function correctedTranscriptQuotes(
  ctx: Pick<AppContext, "prisma">,
  organizationId: string,
  input: { start: Date; end: Date; limit?: number },
): Promise<TranscriptQuote[]> {
  const rows = await ctx.prisma.transcript.findMany({
    where: {
      organizationId,
      correctedText: { not: null },
      voiceMessage: { recordedAt: { gte: input.start, lt: input.end } },
    },
    orderBy: { correctedAt: "desc" },
    take: input.limit ?? 5,
    select: {
      correctedText: true,
      voiceMessage: {
        select: { recordedAt: true, classification: true, forvaltning: true, group: { select: { name: true } } },
      },
    },
  });
  return rows.map((r) => ({
    recordedAt: r.voiceMessage.recordedAt,
    groupName: r.voiceMessage.group.name,
    classification: r.voiceMessage.classification,
    forvaltning: r.voiceMessage.forvaltning,
    excerpt: excerptOf(maskIdentifiers(r.correctedText!).text),
  }));
}
