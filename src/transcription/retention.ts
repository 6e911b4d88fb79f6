import type { AppContext } from "../context.js";
import type { Prisma as PrismaNs } from "../generated/prisma/client.js";
import type { Db } from "../lib/db.js";
import { orgSettingsSchema } from "../organizations/settings.js";
import { maskIdentifiers, totalMasked } from "./masking.js";
import type { Segment } from "./transcriber.js";
import { maskResult } from "./worker.js";

const BATCH = 200;
const MAX_BATCHES = 20;

type Deps = Pick<AppContext, "prisma" | "logger">;

/**
 * A transcript follows its audio: once the voice message has no audio any
 * more (purged after review, discarded, forgotten), its transcript is deleted,
 * or, where the organization keeps transcripts after the audio, kept with its
 * identifiers masked (even where they were kept while the audio was).
 */
export async function applyTranscriptRetention(deps: Deps): Promise<{ deleted: number; masked: number }> {
  const orgs = await deps.prisma.organization.findMany({ select: { id: true, settings: true } });
  let deleted = 0;
  let masked = 0;
  for (const org of orgs) {
    const keep = orgSettingsSchema.parse(org.settings).transcriptKeepAfterAudio;
    const audioGone = { organizationId: org.id, voiceMessage: { state: { not: "stored" as const } } };
    if (!keep) {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const ids = await deps.prisma.transcript.findMany({ where: audioGone, select: { id: true }, take: BATCH });
        if (ids.length === 0) break;
        deleted += (await deps.prisma.transcript.deleteMany({ where: { id: { in: ids.map((t) => t.id) } } })).count;
      }
      continue;
    }
    const unmasked = await deps.prisma.transcript.findMany({
      where: { ...audioGone, masked: false },
      select: { id: true, text: true, correctedText: true, segments: true },
      take: BATCH * MAX_BATCHES,
    });
    for (const t of unmasked) {
      await maskStored(deps.prisma, t);
      masked++;
    }
    // Nothing left to transcribe once the audio is gone.
    deleted += (await deps.prisma.transcript.deleteMany({ where: { ...audioGone, text: null, correctedText: null } }))
      .count;
  }
  if (deleted || masked) deps.logger.info("transcripts followed their audio", { deleted, masked });
  return { deleted, masked };
}

async function maskStored(
  db: Db,
  t: { id: string; text: string | null; correctedText: string | null; segments: unknown },
): Promise<void> {
  const auto =
    t.text === null ? null : maskResult({ text: t.text, language: null, segments: (t.segments ?? []) as Segment[] });
  const corrected = t.correctedText === null ? null : maskIdentifiers(t.correctedText).text;
  await db.transcript.update({
    where: { id: t.id },
    data: {
      text: auto?.text ?? null,
      segments: (auto?.segments ?? undefined) as PrismaNs.InputJsonValue | undefined,
      correctedText: corrected,
      masked: true,
    },
  });
  await db.$executeRawUnsafe(
    `UPDATE "Transcript" SET "searchVector" = to_tsvector('swedish', COALESCE("correctedText", text, '')) WHERE id = $1::uuid`,
    t.id,
  );
}

/** For forgetting a number on request: the transcripts of its voice messages go at once, whatever the settings. */
export async function deleteTranscriptsOf(db: Db, voiceMessageIds: string[]): Promise<number> {
  if (voiceMessageIds.length === 0) return 0;
  return (await db.transcript.deleteMany({ where: { voiceMessageId: { in: voiceMessageIds } } })).count;
}

/**
 * For the privacy scan: stored transcripts that still hold an identifier
 * although their organization masks them (a rule change, a correction typed
 * with a number in it). Counts only; never returns the text.
 */
export async function scanTranscriptsForIdentifiers(
  deps: Deps,
): Promise<{ organizationId: string; transcripts: number }[]> {
  const out: { organizationId: string; transcripts: number }[] = [];
  const orgs = await deps.prisma.organization.findMany({ select: { id: true, settings: true } });
  for (const org of orgs) {
    if (orgSettingsSchema.parse(org.settings).transcriptKeepIdentifiers) continue;
    let n = 0;
    let cursor: string | undefined;
    for (let i = 0; i < 1_000; i++) {
      const rows = await deps.prisma.transcript.findMany({
        where: { organizationId: org.id, OR: [{ text: { not: null } }, { correctedText: { not: null } }] },
        select: { id: true, text: true, correctedText: true },
        orderBy: { id: "asc" },
        take: BATCH,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const r of rows)
        if ([r.text, r.correctedText].some((s) => s && totalMasked(maskIdentifiers(s).counts) > 0)) n++;
      if (rows.length < BATCH) break;
      cursor = rows.at(-1)!.id;
    }
    if (n > 0) out.push({ organizationId: org.id, transcripts: n });
  }
  return out;
}
