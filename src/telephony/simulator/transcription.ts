import express, { Router } from "express";
import type { Logger } from "../../lib/logger.js";
import { createHash } from "node:crypto";
import { recordingSidFromMp3 } from "./mp3.js";
import { pickVoiceText, type VoiceTextRegistry } from "./voice-texts.js";

/**
 * An OpenAI-compatible POST /v1/audio/transcriptions for the embedded demo:
 * answers the text a virtual citizen said for the recordings the simulator
 * made (verbose_json with segments and word probabilities), and now and then
 * fails with a 503 so the service's retries show.
 */
export function simulatorTranscriptionRouter(
  voices: VoiceTextRegistry,
  logger: Logger,
  opts: { failureRate?: number; random?: () => number } = {},
): Router {
  const r = Router();
  const random = opts.random ?? Math.random;
  const failureRate = opts.failureRate ?? 0.12;
  r.post("/v1/audio/transcriptions", express.raw({ type: "multipart/form-data", limit: "30mb" }), async (req, res) => {
    if (random() < failureRate) {
      res.status(503).json({ error: { message: "simulated: model busy, try again" } });
      return;
    }
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(req.body as Buffer), {
        headers: { "content-type": req.get("content-type") ?? "" },
      }).formData();
    } catch {
      res.status(400).json({ error: { message: "expected multipart/form-data" } });
      return;
    }
    const file = form.get("file");
    if (!(file instanceof Blob)) {
      res.status(400).json({ error: { message: "file is required" } });
      return;
    }
    const audio = Buffer.from(await file.arrayBuffer());
    // Its own recordings are known by the MP3's SID tag or the WAV's hash; other audio still gets an invented text, chosen by its hash.
    const known = voices.lookup(audio, recordingSidFromMp3(audio));
    const text = known ?? pickVoiceText(createHash("sha256").update(audio).digest("hex"));
    logger.debug("simulated transcription", { known: known !== undefined, model: form.get("model") });
    if (form.get("response_format") !== "verbose_json") {
      res.json({ text });
      return;
    }
    let t = 0;
    const segments = (text.match(/[^.!?]+[.!?]?/g) ?? []).map((s, id) => {
      const words = s
        .trim()
        .split(/\s+/)
        .map((word) => {
          const w = { word, start: t, end: t + 0.4, probability: Math.round((0.45 + random() * 0.55) * 100) / 100 };
          t += 0.45;
          return w;
        });
      return {
        id,
        start: words[0]?.start ?? t,
        end: t,
        text: ` ${s.trim()}`,
        avg_logprob: -0.1 - random() * 0.4,
        words,
      };
    });
    res.json({ task: "transcribe", language: String(form.get("language") ?? "sv"), duration: t, text, segments });
  });
  return r;
}
