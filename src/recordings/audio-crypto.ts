import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/*
 * Voice messages at rest: AES-256-GCM in chunks of 64 KiB, each with its own
 * nonce and tag, so a Range request decrypts only the chunks it touches.
 *
 *   header  "NKIA" | version 1 | key id (8 bytes) | salt (16 bytes)      = 29 bytes
 *   chunk   nonce (12) | ciphertext (<= 64 KiB) | tag (16)
 *
 * Each object has its own key, HKDF(master key, salt). A chunk's additional
 * data is the header, its index and whether it is the last one, so chunks
 * cannot be reordered, moved between objects, or the object cut short at a
 * chunk boundary without the last chunk failing to authenticate. The plain
 * size follows from the stored size alone (every chunk but the last is full).
 */
export const AUDIO_CHUNK_BYTES = 64 * 1024;
const MAGIC = Buffer.from("NKIA", "ascii");
const VERSION = 1;
const KEY_ID_BYTES = 8;
const SALT_BYTES = 16;
export const HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES + SALT_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FRAME_OVERHEAD = NONCE_BYTES + TAG_BYTES;
const FRAME_BYTES = AUDIO_CHUNK_BYTES + FRAME_OVERHEAD;

export class AudioDecryptError extends Error {}

export interface AudioKey {
  /** 16 hex digits derived from the key: stored in each object's header. */
  id: string;
  secret: Buffer;
}

/** The current key (encrypts) and earlier ones (decrypt only, until rotation is done). */
export interface AudioKeyring {
  current: AudioKey;
  byId(id: string): AudioKey | undefined;
}

export function audioKey(secret: Buffer): AudioKey {
  if (secret.length !== 32) throw new Error("audio key must be 32 bytes");
  const id = createHmac("sha256", secret).update("nki-audio-key-id").digest().subarray(0, KEY_ID_BYTES);
  return { id: id.toString("hex"), secret };
}

export function createAudioKeyring(current: Buffer, old: Buffer[] = []): AudioKeyring {
  const keys = [current, ...old].map(audioKey);
  const map = new Map(keys.map((k) => [k.id, k]));
  return { current: keys[0], byId: (id) => map.get(id) };
}

/**
 * AUDIO_KEY (+ AUDIO_KEYS_OLD), or on the embedded default a key generated
 * once into DATA_DIR/keys/audio.key (mode 0600), as for NUMBER_KEY. Production
 * refuses to start without AUDIO_KEY (see config).
 */
export function loadAudioKeyring(
  configured: string | undefined,
  old: string | undefined,
  dataDir: string,
): { keyring: AudioKeyring; source: string } {
  const olds = (old ?? "")
    .split(",")
    .filter(Boolean)
    .map((k) => Buffer.from(k, "base64"));
  if (configured) return { keyring: createAudioKeyring(Buffer.from(configured, "base64"), olds), source: "AUDIO_KEY" };
  const file = path.resolve(dataDir, "keys", "audio.key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return { keyring: createAudioKeyring(key, olds), source: file };
}

export function isEncryptedAudio(head: Buffer): boolean {
  return head.length >= MAGIC.length && head.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The key id an object was encrypted with, from its header. */
export function headerKeyId(header: Buffer): string {
  if (header.length < HEADER_BYTES || !isEncryptedAudio(header))
    throw new AudioDecryptError("not an encrypted voice message (no NKIA header)");
  if (header[MAGIC.length] !== VERSION)
    throw new AudioDecryptError(`unknown audio encryption version ${header[MAGIC.length]}`);
  return header.subarray(MAGIC.length + 1, MAGIC.length + 1 + KEY_ID_BYTES).toString("hex");
}

function objectKey(master: AudioKey, header: Buffer): Buffer {
  const salt = header.subarray(HEADER_BYTES - SALT_BYTES, HEADER_BYTES);
  return Buffer.from(hkdfSync("sha256", master.secret, salt, "nki-audio-v1", 32));
}

function additionalData(header: Buffer, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = last ? 1 : 0;
  return Buffer.concat([header.subarray(0, HEADER_BYTES), tail]);
}

/** Stored size -> plain size; null when the stored size cannot be a valid object. */
export function plainSize(storedSize: number): number | null {
  const body = storedSize - HEADER_BYTES;
  if (body < FRAME_OVERHEAD) return null;
  const full = Math.floor(body / FRAME_BYTES);
  const rest = body % FRAME_BYTES;
  if (rest === 0) return full * AUDIO_CHUNK_BYTES;
  return rest < FRAME_OVERHEAD ? null : full * AUDIO_CHUNK_BYTES + rest - FRAME_OVERHEAD;
}

/** The stored byte range holding plain bytes [start, end], and the chunk it starts at. */
export function storedRangeFor(
  start: number,
  end: number,
  storedSize: number,
): { first: number; last: number; storedStart: number; storedEnd: number } {
  const first = Math.floor(start / AUDIO_CHUNK_BYTES);
  const last = Math.floor(end / AUDIO_CHUNK_BYTES);
  return {
    first,
    last,
    storedStart: HEADER_BYTES + first * FRAME_BYTES,
    storedEnd: Math.min(HEADER_BYTES + (last + 1) * FRAME_BYTES, storedSize) - 1,
  };
}

/** Encrypts a plain stream into the stored format; holds one chunk back to know which is last. */
export async function* encryptAudio(plain: AsyncIterable<Buffer | string>, key: AudioKey): AsyncGenerator<Buffer> {
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION]), Buffer.from(key.id, "hex"), randomBytes(SALT_BYTES)]);
  const k = objectKey(key, header);
  const seal = (chunk: Buffer, index: number, last: boolean) => {
    const nonce = randomBytes(NONCE_BYTES);
    const c = createCipheriv("aes-256-gcm", k, nonce);
    c.setAAD(additionalData(header, index, last));
    return Buffer.concat([nonce, c.update(chunk), c.final(), c.getAuthTag()]);
  };
  yield header;
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  for await (const piece of plain) {
    pending = Buffer.concat([pending, typeof piece === "string" ? Buffer.from(piece) : piece]);
    // Strictly more than a chunk: a chunk is sealed as not-last only once bytes after it exist.
    while (pending.length > AUDIO_CHUNK_BYTES) {
      yield seal(pending.subarray(0, AUDIO_CHUNK_BYTES), index++, false);
      pending = pending.subarray(AUDIO_CHUNK_BYTES);
    }
  }
  yield seal(pending, index, true);
}

/**
 * Decrypts stored frames starting at chunk `first` (the stream begins at that
 * chunk's first stored byte) and yields the plain bytes [start, end]. Every
 * chunk is authenticated before any of its bytes are given out.
 */
export async function* decryptAudio(
  stored: AsyncIterable<Buffer>,
  opts: { header: Buffer; keyring: AudioKeyring; first: number; start: number; end: number; storedSize: number },
): AsyncGenerator<Buffer> {
  const keyId = headerKeyId(opts.header);
  const master = opts.keyring.byId(keyId);
  if (!master) throw new AudioDecryptError(`voice message encrypted with an unknown key (id ${keyId})`);
  const k = objectKey(master, opts.header);
  const lastIndex = Math.max(0, Math.ceil((opts.storedSize - HEADER_BYTES) / FRAME_BYTES) - 1);
  let index = opts.first;
  let offset = index * AUDIO_CHUNK_BYTES;
  let buf: Buffer = Buffer.alloc(0);
  const open = (frame: Buffer): Buffer => {
    if (frame.length < FRAME_OVERHEAD) throw new AudioDecryptError(`voice message chunk ${index} is truncated`);
    const d = createDecipheriv("aes-256-gcm", k, frame.subarray(0, NONCE_BYTES));
    d.setAAD(additionalData(opts.header, index, index === lastIndex));
    d.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
    try {
      return Buffer.concat([d.update(frame.subarray(NONCE_BYTES, frame.length - TAG_BYTES)), d.final()]);
    } catch {
      throw new AudioDecryptError(`voice message chunk ${index} failed authentication (tampered or wrong key)`);
    }
  };
  function* emit(plain: Buffer): Generator<Buffer> {
    const from = Math.max(0, opts.start - offset);
    const to = Math.min(plain.length, opts.end - offset + 1);
    if (to > from) yield plain.subarray(from, to);
    offset += plain.length;
    index++;
  }
  for await (const piece of stored) {
    buf = buf.length ? Buffer.concat([buf, piece]) : piece;
    while (buf.length >= FRAME_BYTES && offset <= opts.end) {
      yield* emit(open(buf.subarray(0, FRAME_BYTES)));
      buf = buf.subarray(FRAME_BYTES);
    }
    if (offset > opts.end) return;
  }
  if (offset <= opts.end) {
    if (buf.length === 0) throw new AudioDecryptError("voice message ended before the requested range");
    yield* emit(open(buf));
  }
}
