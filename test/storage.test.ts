import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIO_CHUNK_BYTES, AudioDecryptError, createAudioKeyring } from "../src/recordings/audio-crypto.js";
import { createLocalBlobStore } from "../src/recordings/local-storage.js";
import { createPostgresBlobStore, sweepOrphanAudioParts } from "../src/recordings/pg-storage.js";
import { createS3BlobStore } from "../src/recordings/s3-storage.js";
import { createEncryptedStorage, readAll, type BlobStore } from "../src/recordings/storage.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { startTestS3, type TestS3 } from "./support/s3.js";

/** Three chunks and a bit: every Range below crosses at least one chunk boundary somewhere. */
const AUDIO = randomBytes(3 * AUDIO_CHUNK_BYTES + 1234);
const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);

let db: TestDatabase;
let s3: TestS3;
const backends: Record<string, () => BlobStore> = {
  postgres: () => createPostgresBlobStore(db.prisma),
  s3: () => createS3BlobStore(s3.options),
  local: () => createLocalBlobStore(mkdtempSync(path.join(tmpdir(), "nki-local-"))),
};

beforeAll(async () => {
  [db, s3] = await Promise.all([createTestDatabase(), startTestS3()]);
  // Prisma takes charge of its pg pool (error listener, closing it) only once it has run a query itself.
  await db.prisma.audioObject.count();
});
afterAll(async () => {
  await db?.close();
  await s3?.close();
});

const put = (s: { put: (k: string, b: Readable, t: string) => Promise<unknown> }, key: string, data: Buffer) =>
  s.put(key, Readable.from([data.subarray(0, 1000), data.subarray(1000)]), "audio/mpeg");

describe.each(Object.keys(backends))("%s storage, encrypted", (kind) => {
  let blobs: BlobStore;
  const storage = () => createEncryptedStorage(blobs, createAudioKeyring(KEY_A));
  beforeAll(() => {
    blobs = backends[kind]();
  });
  afterAll(async () => blobs.close?.());

  it("stores, sizes, reads back whole, and keeps only ciphertext at rest", async () => {
    const s = storage();
    expect(await put(s, "org-1/survey-1.mp3", AUDIO)).toEqual({ sizeBytes: AUDIO.length });
    expect(await s.size("org-1/survey-1.mp3")).toBe(AUDIO.length);
    expect((await readAll(await s.get("org-1/survey-1.mp3"))).equals(AUDIO)).toBe(true);
    const raw = await readAll(await blobs.get("org-1/survey-1.mp3"));
    expect(raw.subarray(0, 4).toString("ascii")).toBe("NKIA");
    expect(raw.includes(AUDIO.subarray(5000, 5032))).toBe(false);
  });

  it("answers any byte range exactly, across chunk boundaries", async () => {
    const s = storage();
    const key = "org-1/ranges.mp3";
    await put(s, key, AUDIO);
    const read = async (start: number, end: number) => readAll(await s.get(key, { start, end }));
    const C = AUDIO_CHUNK_BYTES;
    for (const [a, b] of [
      [0, 0],
      [C - 3, C + 2],
      [C, C],
      [C - 1, 2 * C],
      [10, AUDIO.length - 1],
      [AUDIO.length - 1, AUDIO.length - 1],
    ]) {
      expect((await read(a, b)).equals(AUDIO.subarray(a, b + 1)), `${a}-${b}`).toBe(true);
    }
    await fc.assert(
      fc.asyncProperty(fc.nat(AUDIO.length - 1), fc.nat(3 * C), async (start, len) => {
        const end = Math.min(AUDIO.length - 1, start + len);
        expect((await read(start, end)).equals(AUDIO.subarray(start, end + 1))).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it("refuses a tampered chunk, and only the chunks that are tampered", async () => {
    const s = storage();
    const key = "org-1/tampered.mp3";
    await put(s, key, AUDIO);
    const raw = await readAll(await blobs.get(key));
    raw[29 + (AUDIO_CHUNK_BYTES + 28) + 100] ^= 0x01; // a ciphertext byte of chunk 1
    await blobs.put(key, Readable.from([raw]));
    await expect(s.get(key, { start: AUDIO_CHUNK_BYTES + 5, end: AUDIO_CHUNK_BYTES + 10 })).rejects.toThrow(
      AudioDecryptError,
    );
    await expect(readAll(await s.get(key, { start: 0, end: 99 }))).resolves.toEqual(AUDIO.subarray(0, 100));
    // A read that starts in a good chunk fails when it reaches the bad one.
    await expect(readAll(await s.get(key))).rejects.toThrow(/chunk 1 failed authentication/);
  });

  it("refuses an object cut short at a chunk boundary", async () => {
    const s = storage();
    const key = "org-1/truncated.mp3";
    await put(s, key, AUDIO);
    const raw = await readAll(await blobs.get(key));
    await blobs.put(key, Readable.from([raw.subarray(0, 29 + 2 * (AUDIO_CHUNK_BYTES + 28))]));
    expect(await s.size(key)).toBe(2 * AUDIO_CHUNK_BYTES);
    await expect(s.get(key, { start: AUDIO_CHUNK_BYTES, end: 2 * AUDIO_CHUNK_BYTES - 1 })).rejects.toThrow(
      AudioDecryptError,
    );
  });

  it("refuses to decrypt with a wrong key, naming the key id it needs", async () => {
    await put(storage(), "org-1/wrong-key.mp3", AUDIO);
    const other = createEncryptedStorage(blobs, createAudioKeyring(KEY_B));
    await expect(other.get("org-1/wrong-key.mp3")).rejects.toThrow(/unknown key \(id [0-9a-f]{16}\)/);
  });

  it("replaces an object whole, deletes it, lists keys, and passes its probe", async () => {
    const s = storage();
    const key = "org-2/replaced.mp3";
    await put(s, key, AUDIO);
    const shorter = randomBytes(70_000);
    await put(s, key, shorter);
    expect((await readAll(await s.get(key))).equals(shorter)).toBe(true);
    const keys: string[] = [];
    for await (const k of blobs.list()) keys.push(k);
    expect(keys).toContain(key);
    await s.delete(key);
    expect(await s.size(key)).toBeNull();
    await s.probe();
    const after: string[] = [];
    for await (const k of blobs.list()) after.push(k);
    expect(after).not.toContain(key);
    expect(after.filter((k) => k.startsWith("probe/"))).toEqual([]);
  });

  it("stores an empty message and a message of exactly one chunk", async () => {
    const s = storage();
    await put(s, "org-3/empty.mp3", Buffer.alloc(0));
    expect(await s.size("org-3/empty.mp3")).toBe(0);
    const one = randomBytes(AUDIO_CHUNK_BYTES);
    await put(s, "org-3/one.mp3", one);
    expect(await s.size("org-3/one.mp3")).toBe(AUDIO_CHUNK_BYTES);
    expect((await readAll(await s.get("org-3/one.mp3"))).equals(one)).toBe(true);
  });
});

describe("postgres storage", () => {
  it("keeps a replaced or deleted object's chunks from piling up", async () => {
    const s = createEncryptedStorage(createPostgresBlobStore(db.prisma), createAudioKeyring(KEY_A));
    const key = "org-9/chunks.mp3";
    const chunks = async () => db.prisma.audioChunk.count();
    const before = await chunks();
    await put(s, key, AUDIO);
    const stored = (await db.prisma.audioObject.findUniqueOrThrow({ where: { key } })).sizeBytes;
    expect(await chunks()).toBe(before + Math.ceil(stored / (64 * 1024)));
    await put(s, key, AUDIO);
    expect(await chunks()).toBe(before + Math.ceil(stored / (64 * 1024)));
    await s.delete(key);
    expect(await chunks()).toBe(before);
  });

  it("sweeps the parts of an upload a dead instance left, only once they were orphans at the sweep before", async () => {
    const blobs = createPostgresBlobStore(db.prisma);
    await put(blobs, "org-9/kept.mp3", AUDIO);
    const dead = "00000000-0000-4000-8000-00000000dead";
    await db.prisma.audioChunk.createMany({
      data: [0, 1].map((idx) => ({ objectId: dead, idx, data: new Uint8Array(randomBytes(100)) })),
    });
    const kept = await db.prisma.audioChunk.count({ where: { objectId: { not: dead } } });

    const first = await sweepOrphanAudioParts(db.prisma, new Set());
    expect(first).toEqual({ deleted: 0, suspects: new Set([dead]) });
    expect(await db.prisma.audioChunk.count({ where: { objectId: dead } })).toBe(2);

    const second = await sweepOrphanAudioParts(db.prisma, first.suspects);
    expect(second).toEqual({ deleted: 2, suspects: new Set() });
    expect(await db.prisma.audioChunk.count({ where: { objectId: dead } })).toBe(0);
    expect(await db.prisma.audioChunk.count()).toBe(kept);
    expect(await readAll(await blobs.get("org-9/kept.mp3"))).toEqual(AUDIO);
  });
});
