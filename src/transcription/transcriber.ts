import { z } from "zod";

/**
 * The adapter for an OpenAI-compatible speech-to-text server
 * (POST /v1/audio/transcriptions, multipart): faster-whisper based servers,
 * whisper.cpp's server and vLLM all speak it. The municipality runs the
 * server; nothing here talks to anyone else.
 */
export interface TranscriptionRequest {
  audio: Buffer;
  contentType: string;
  fileName: string;
  /** ISO 639-1, e.g. "sv". */
  language: string;
}

export interface Word {
  word: string;
  start?: number;
  end?: number;
  /** 0–1 when the server gives it. */
  probability?: number;
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  /** exp(avg_logprob), 0–1, when the server gives it. */
  confidence?: number;
  words?: Word[];
}

export interface TranscriptionResult {
  text: string;
  language: string | null;
  segments: Segment[];
}

export interface Transcriber {
  /** Where audio is sent (for the start-up log and the status page). */
  readonly endpoint: string;
  readonly model: string;
  transcribe(req: TranscriptionRequest): Promise<TranscriptionResult>;
}

/** `retryable`: a timeout, a 5xx, a 429 or an unreadable answer; anything else will not get better by waiting. */
export class TranscriptionError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "TranscriptionError";
  }
}

const wordSchema = z.object({
  word: z.string(),
  start: z.number().optional(),
  end: z.number().optional(),
  probability: z.number().min(0).max(1).optional(),
});
const segmentSchema = z.object({
  start: z.number(),
  end: z.number(),
  text: z.string(),
  avg_logprob: z.number().optional(),
  words: z.array(wordSchema).optional(),
});
export const responseSchema = z.object({
  text: z.string(),
  language: z.string().optional(),
  segments: z.array(segmentSchema).optional(),
  words: z.array(wordSchema).optional(),
});

/** Accepts a server root, a /v1 base or the full endpoint. */
export function transcriptionEndpoint(url: string): string {
  const u = url.replace(/\/+$/, "");
  if (u.endsWith("/audio/transcriptions")) return u;
  return u.endsWith("/v1") ? `${u}/audio/transcriptions` : `${u}/v1/audio/transcriptions`;
}

/** The server's words fall into segments by time when it returns them at the top level (OpenAI's layout). */
export function toResult(body: z.infer<typeof responseSchema>): TranscriptionResult {
  const topWords = body.words ?? [];
  const segments: Segment[] = (body.segments ?? []).map((s) => {
    const words = s.words ?? topWords.filter((w) => w.start !== undefined && w.start >= s.start && w.start < s.end);
    return {
      start: s.start,
      end: s.end,
      text: s.text.trim(),
      ...(s.avg_logprob !== undefined ? { confidence: Math.min(1, Math.exp(s.avg_logprob)) } : {}),
      ...(words.length ? { words } : {}),
    };
  });
  return { text: body.text.trim(), language: body.language ?? null, segments };
}

export function createHttpTranscriber(opts: {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): Transcriber {
  const endpoint = transcriptionEndpoint(opts.url);
  const doFetch = opts.fetch ?? fetch;
  // Servers that refuse verbose_json (whisper.cpp builds without it) answer 400; plain json is used from then on.
  let verbose = true;

  async function post(req: TranscriptionRequest, format: "verbose_json" | "json"): Promise<Response> {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(req.audio)], { type: req.contentType }), req.fileName);
    form.append("model", opts.model);
    form.append("language", req.language);
    form.append("response_format", format);
    if (format === "verbose_json") {
      form.append("timestamp_granularities[]", "segment");
      form.append("timestamp_granularities[]", "word");
    }
    try {
      return await doFetch(endpoint, {
        method: "POST",
        body: form,
        headers: opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {},
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === "TimeoutError" || e.name === "AbortError")
        throw new TranscriptionError(`no answer within ${opts.timeoutMs / 1000} s`, true);
      throw new TranscriptionError(`could not reach the transcription server: ${e.message}`, true);
    }
  }

  return {
    endpoint,
    model: opts.model,
    async transcribe(req) {
      let res = await post(req, verbose ? "verbose_json" : "json");
      if (verbose && res.status === 400) {
        const body = await res.text().catch(() => "");
        if (/verbose_json|response_format/i.test(body)) {
          verbose = false;
          res = await post(req, "json");
        } else {
          throw new TranscriptionError(`HTTP 400: ${body.slice(0, 200)}`, false);
        }
      }
      let raw: string;
      try {
        raw = await res.text();
      } catch (err) {
        throw new TranscriptionError(`reading the answer failed: ${(err as Error).message}`, true);
      }
      if (!res.ok) {
        const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
        throw new TranscriptionError(`HTTP ${res.status}: ${raw.slice(0, 200)}`, retryable);
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new TranscriptionError(`the answer is not JSON: ${raw.slice(0, 80)}`, true);
      }
      const parsed = responseSchema.safeParse(json);
      if (!parsed.success) throw new TranscriptionError("the answer has no text field", true);
      return toResult(parsed.data);
    },
  };
}
