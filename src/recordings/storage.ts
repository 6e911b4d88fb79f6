import { randomBytes, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import {
  AudioDecryptError,
  decryptAudio,
  encryptAudio,
  HEADER_BYTES,
  headerKeyId,
  isEncryptedAudio,
  plainSize,
  storedRangeFor,
  createAudioKeyring,
  type AudioKeyring,
} from "./audio-crypto.js";
import { createLocalBlobStore } from "./local-storage.js";
import { checkKey, PROBE_PREFIX } from "./rules.js";

/**
 * Where voice-message audio lives, as the rest of the service sees it: plain
 * audio in, plain audio out. Every implementation encrypts at rest
 * (createEncryptedStorage over a BlobStore).
 */
export interface RecordingStorage {
  /** Stores the stream under key atomically; returns the stored (plain) size in bytes. */
  put(key: string, body: Readable, contentType: string): Promise<{ sizeBytes: number }>;
  /**
   * A byte range [start, end] inclusive, or the whole object. Resolves once the
   * first chunk is authenticated, so a tampered or foreign object fails here,
   * before a response is started.
   */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  /** Writes, reads back and deletes a probe object: the readiness check's proof that storage works. */
  probe(): Promise<void>;
}

/** Raw bytes under keys: what each backend (PostgreSQL, S3, a directory) provides. */
export interface BlobStore {
  /** "postgres" | "s3" | "local", for logs and the CLI. */
  readonly kind: string;
  /** Stores the stream under key atomically (readers see the old object or the whole new one). */
  put(key: string, body: Readable): Promise<{ sizeBytes: number }>;
  /** A byte range [start, end] inclusive, or the whole object. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  /** Every key, in no particular order (the move and rotate commands walk them). */
  list(): AsyncIterable<string>;
  close?(): Promise<void>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(typeof p === "string" ? Buffer.from(p) : (p as Buffer));
  return Buffer.concat(parts);
}

/** An encrypted RecordingStorage over a backend; the storage a service uses. */
export interface EncryptedStorage extends RecordingStorage {
  readonly blobs: BlobStore;
  readonly keyring: AudioKeyring;
  /** The key id an object is encrypted with, "plain" for an unencrypted (pre-encryption) file, null when absent. */
  keyIdOf(key: string): Promise<string | null>;
}

export function createEncryptedStorage(blobs: BlobStore, keyring: AudioKeyring): EncryptedStorage {
  async function header(key: string): Promise<Buffer | null> {
    const stored = await blobs.size(key);
    if (stored === null) return null;
    return readAll(await blobs.get(key, { start: 0, end: Math.min(stored, HEADER_BYTES) - 1 }));
  }
  const storage: EncryptedStorage = {
    blobs,
    keyring,
    async put(key, body) {
      checkKey(key);
      let plain = 0;
      async function* counted() {
        for await (const p of body as AsyncIterable<Buffer>) {
          plain += p.length;
          yield p;
        }
      }
      await blobs.put(key, Readable.from(encryptAudio(counted(), keyring.current)));
      return { sizeBytes: plain };
    },
    async get(key, range) {
      checkKey(key);
      const storedSize = await blobs.size(key);
      if (storedSize === null) throw new Error(`no stored object ${key}`);
      const size = plainSize(storedSize);
      if (size === null) throw new AudioDecryptError(`stored object ${key} has an impossible size`);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? size - 1, size - 1);
      if (size === 0 || end < start) return Readable.from([]);
      const hdr = await readAll(await blobs.get(key, { start: 0, end: HEADER_BYTES - 1 }));
      const r = storedRangeFor(start, end, storedSize);
      const frames = await blobs.get(key, { start: r.storedStart, end: r.storedEnd });
      const plain = decryptAudio(frames, { header: hdr, keyring, first: r.first, start, end, storedSize });
      // The first chunk is decrypted before resolving: a bad object fails the call, not a half-sent response.
      let first: IteratorResult<Buffer>;
      try {
        first = await plain.next();
      } catch (err) {
        frames.destroy();
        throw err;
      }
      async function* rest() {
        try {
          if (!first.done) yield first.value;
          yield* plain;
        } finally {
          frames.destroy();
        }
      }
      return Readable.from(rest());
    },
    async size(key) {
      checkKey(key);
      const stored = await blobs.size(key);
      return stored === null ? null : plainSize(stored);
    },
    async delete(key) {
      await blobs.delete(checkKey(key));
    },
    async probe() {
      const key = `${PROBE_PREFIX}${randomUUID()}`;
      const data = randomBytes(1024);
      try {
        await storage.put(key, Readable.from([data]), "application/octet-stream");
        const back = await readAll(await storage.get(key));
        if (!back.equals(data)) throw new Error(`storage probe read back different bytes (${blobs.kind})`);
      } finally {
        await blobs.delete(key).catch(() => undefined);
      }
    },
    async keyIdOf(key) {
      const h = await header(checkKey(key));
      if (h === null) return null;
      return isEncryptedAudio(h) ? headerKeyId(h) : "plain";
    },
  };
  return storage;
}

/**
 * Encrypted storage in a directory. Without a keyring it encrypts with a key
 * that lives only as long as the process: for tests and benchmarks, never the
 * service (which builds its storage with createRecordingStorage).
 */
export function createLocalStorage(root: string, keyring = createAudioKeyring(randomBytes(32))): RecordingStorage {
  return createEncryptedStorage(createLocalBlobStore(root), keyring);
}
