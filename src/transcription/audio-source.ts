import type { Readable } from "node:stream";
import type { AppContext } from "../context.js";

/** The OpenAI API's own upload limit; a voice message is far below it. */
const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

export interface MessageAudio {
  organizationId: string;
  durationSeconds: number;
  contentType: string;
  /** The survey flow's language, if known. */
  language: string | null;
  audio: Buffer;
}

/**
 * The audio of a stored voice message, read through the recordings feature's
 * storage interface. The recordings feature has no read function for a
 * message's storage key yet, so the narrow select below is the one place this
 * feature looks at VoiceMessage; replace it with that function when it exists.
 * Null when the message is gone or has no audio any more.
 */
export async function loadMessageAudio(
  ctx: Pick<AppContext, "prisma" | "storage">,
  voiceMessageId: string,
): Promise<MessageAudio | null> {
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
  const audio = await readAll(await ctx.storage.get(vm.storageKey));
  return {
    organizationId: vm.organizationId,
    durationSeconds: vm.durationSeconds,
    contentType: vm.contentType ?? "audio/wav",
    language: vm.survey.language,
    audio,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > MAX_AUDIO_BYTES) {
      stream.destroy();
      throw new Error(`voice message larger than ${MAX_AUDIO_BYTES} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
