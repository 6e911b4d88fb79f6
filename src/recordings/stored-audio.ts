import type { Readable } from "node:stream";
import type { AppContext } from "../context.js";

export interface StoredAudio {
  organizationId: string;
  durationSeconds: number;
  contentType: string;
  /** The survey flow's language, if known. */
  language: string | null;
  audio: Buffer;
}

/**
 * A stored voice message's audio and what describes it, for features that
 * process the audio (transcription). Null when the message is gone or its
 * audio was deleted. Refuses audio larger than `maxBytes` (the voice message
 * was never that long: something is wrong with the file).
 */
export async function readStoredAudio(
  ctx: Pick<AppContext, "prisma" | "storage">,
  voiceMessageId: string,
  maxBytes: number,
): Promise<StoredAudio | null> {
  const vm = await ctx.prisma.voiceMessage.findUnique({
    where: { id: voiceMessageId },
    select: {
      organizationId: true,
      state: true,
      storageKey: true,
      contentType: true,
      durationSeconds: true,
      survey: { select: { language: true } },
    },
  });
  if (!vm || vm.state !== "stored" || !vm.storageKey) return null;
  const audio = await readCapped(await ctx.storage.get(vm.storageKey), maxBytes);
  return {
    organizationId: vm.organizationId,
    durationSeconds: vm.durationSeconds,
    contentType: vm.contentType ?? "audio/wav",
    language: vm.survey.language,
    audio,
  };
}

async function readCapped(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > maxBytes) {
      stream.destroy();
      throw new Error(`voice message larger than ${maxBytes} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
