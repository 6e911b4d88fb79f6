import type { AppContext } from "../context.js";
import { readStoredAudio, type StoredAudio } from "../recordings/stored-audio.js";

/** The OpenAI API's own upload limit; a voice message is far below it. */
const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

export type MessageAudio = StoredAudio;

/**
 * The audio of a stored voice message, through the recordings feature (which
 * owns VoiceMessage and the storage). Null when the message is gone or has no
 * audio any more.
 */
export function loadMessageAudio(
  ctx: Pick<AppContext, "prisma" | "storage">,
  voiceMessageId: string,
): Promise<MessageAudio | null> {
  return readStoredAudio(ctx, voiceMessageId, MAX_AUDIO_BYTES);
}
