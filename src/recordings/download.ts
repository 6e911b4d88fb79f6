import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { TwilioCredentials } from "../telephony/client.js";
import type { RecordingStorage } from "./storage.js";
import { RECORDING_CONTENT_TYPES, recordingMediaUrl, type RecordingFormat } from "./rules.js";

/** A two-minute message is ~2 MB as 8 kHz 16-bit WAV (a tenth as MP3); anything far larger is not ours to keep. */
const MAX_BYTES = 50 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Fetches a recording's MP3 or WAV from Twilio (or the configured compatible API)
 * with the account's Basic credentials and streams it into storage. The URL
 * is built from configuration and the validated Recording SID only, so a
 * callback can never make the service fetch, and send credentials to, a URL
 * of its choosing.
 */
export async function downloadRecording(
  creds: TwilioCredentials,
  storage: RecordingStorage,
  args: { recordingSid: string; key: string; format: RecordingFormat },
): Promise<{ sizeBytes: number; contentType: string }> {
  const url = recordingMediaUrl(creds.apiUrl, creds.accountSid, args.recordingSid, args.format);
  const expected = RECORDING_CONTENT_TYPES[args.format];
  const auth = Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString("base64");
  const res = await fetch(url, {
    headers: {
      Authorization: `Basic ${auth}`,
      Accept: args.format === "mp3" ? "audio/mpeg, */*" : "audio/wav, audio/x-wav, */*",
    },
    signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
  });
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError(`recording download answered HTTP ${res.status}`, res.status);
  }
  const contentType = (res.headers.get("content-type") ?? expected).split(";")[0].trim();
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > MAX_BYTES ? new DownloadError(`recording larger than ${MAX_BYTES} bytes`) : null, chunk);
    },
  });
  const source = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  // pipe() does not forward errors; a broken download must fail the store, not hang it.
  source.on("error", (err) => limit.destroy(err));
  const body = source.pipe(limit);
  const { sizeBytes } = await storage.put(args.key, body, contentType);
  if (sizeBytes === 0) throw new DownloadError("recording download was empty");
  return { sizeBytes, contentType };
}
