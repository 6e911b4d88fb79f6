import { pipeline } from "node:stream/promises";
import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { AudioDecryptError } from "../recordings/audio-crypto.js";
import { auditPlayback } from "./actions.js";
import { parseRange } from "./range.js";
import { loadForReview, type Actor } from "./service.js";

/**
 * A playback is audited when a request reads from byte 0 (how <audio> starts
 * and how a download starts); seeks read from elsewhere and are not new
 * playbacks. Browsers may send more than one byte-0 request for one play, so
 * the same user and message count once within this window.
 */
export const PLAYBACK_DEDUP_MS = 30_000;

export function createAudioHandler(ctx: AppContext) {
  const lastAudited = new Map<string, number>();

  function isNewPlayback(userId: string, id: string): boolean {
    const now = ctx.now().getTime();
    const key = `${userId}:${id}`;
    const prev = lastAudited.get(key);
    if (prev !== undefined && now - prev < PLAYBACK_DEDUP_MS) return false;
    lastAudited.set(key, now);
    if (lastAudited.size > 5_000) {
      for (const [k, at] of lastAudited) if (now - at >= PLAYBACK_DEDUP_MS) lastAudited.delete(k);
    }
    return true;
  }

  return async function streamAudio(req: Request, res: Response, actor: Actor, id: string): Promise<void> {
    const m = await loadForReview(ctx, actor, id);
    if (m.state !== "stored" || !m.storageKey)
      throw new AppError("not_found", "The audio of this voice message has been deleted");
    const size = await ctx.storage.size(m.storageKey);
    if (size === null) throw new AppError("not_found", "The audio of this voice message is missing from storage");

    // If-Range needs a validator we never hand out (no-store), so Range is honoured only without it.
    const range = parseRange(req.get("if-range") ? undefined : req.get("range"), size);
    const start = range.kind === "partial" ? range.start : 0;
    const end = range.kind === "partial" ? range.end : size - 1;
    // Opened (and its first chunk decrypted and authenticated) before any header is set: a tampered
    // message or one under an unknown key is a clean error response, never a half-sent body.
    const sending = range.kind !== "unsatisfiable" && req.method !== "HEAD" && size > 0;
    const body = sending ? await openAudio(ctx, m.storageKey, id, start, end) : null;

    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Accept-Ranges", "bytes");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Type", m.contentType ?? "audio/wav");
    if (range.kind === "unsatisfiable") {
      res.status(416).setHeader("Content-Range", `bytes */${size}`);
      res.end();
      return;
    }
    if (range.kind === "partial") {
      res.status(206).setHeader("Content-Range", `bytes ${start}-${end}/${size}`);
    }
    res.setHeader("Content-Length", String(size === 0 ? 0 : end - start + 1));
    if (!body) {
      res.end();
      return;
    }
    if (start === 0 && isNewPlayback(actor.id, id)) {
      await auditPlayback(ctx, actor, id, { range: req.get("range") ?? null }).catch((err: unknown) => {
        body.destroy();
        throw err;
      });
    }
    try {
      await pipeline(body, res);
    } catch (err) {
      // The player aborts a response whenever it seeks; that is not an error.
      if ((err as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw err;
    }
  };
}

async function openAudio(ctx: AppContext, key: string, id: string, start: number, end: number) {
  try {
    return await ctx.storage.get(key, { start, end });
  } catch (err) {
    if (!(err instanceof AudioDecryptError)) throw err;
    ctx.logger.error("voice message audio failed decryption", { voiceMessageId: id, error: err.message });
    throw new AppError("internal", "The audio of this voice message cannot be decrypted");
  }
}
