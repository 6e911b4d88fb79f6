import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/lib/config.js";
import { createLogger } from "../src/lib/logger.js";
import { createAudioKeyring } from "../src/recordings/audio-crypto.js";
import { storageCommand } from "../src/recordings/cli.js";
import { createLocalBlobStore } from "../src/recordings/local-storage.js";
import { createPostgresBlobStore } from "../src/recordings/pg-storage.js";
import { createS3BlobStore } from "../src/recordings/s3-storage.js";
import { moveStorage, rotateAudioKey } from "../src/recordings/storage-admin.js";
import { createEncryptedStorage, readAll, type BlobStore } from "../src/recordings/storage.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { startTestS3, type TestS3 } from "./support/s3.js";

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const logger = createLogger("error", { silent: true });
const audio = (n: number) => randomBytes(n);
const keysOf = async (b: BlobStore) => {
  const keys: string[] = [];
  for await (const k of b.list()) keys.push(k);
  return keys.sort();
};

let db: TestDatabase;
let s3: TestS3;
beforeAll(async () => {
  [db, s3] = await Promise.all([createTestDatabase(), startTestS3()]);
  // Prisma takes charge of its pg pool (error listener, closing it) only once it has run a query itself;
  // the storage uses the pool directly, so without this the pool outlives the test database.
  await db.prisma.audioObject.count();
});
afterAll(async () => {
  await db?.close();
  await s3?.close();
});

const localDir = () => mkdtempSync(path.join(tmpdir(), "nki-move-"));

describe("storage rotate-key", () => {
  it("re-encrypts every message (and files from before encryption) under the new key; old keys are then not needed", async () => {
    const blobs = createLocalBlobStore(localDir());
    const underA = createEncryptedStorage(blobs, createAudioKeyring(KEY_A));
    const a1 = audio(150_000);
    const a2 = audio(5_000);
    const legacy = audio(9_000);
    await underA.put("org/a1.mp3", Readable.from([a1]), "audio/mpeg");
    await underA.put("org/a2.mp3", Readable.from([a2]), "audio/mpeg");
    await blobs.put("org/legacy.wav", Readable.from([legacy]));
    expect(await underA.keyIdOf("org/legacy.wav")).toBe("plain");
    await expect(underA.get("org/legacy.wav")).rejects.toThrow(/not an encrypted voice message/);

    const rotating = createEncryptedStorage(blobs, createAudioKeyring(KEY_B, [KEY_A]));
    const r = await rotateAudioKey(rotating, { logger });
    expect(r).toEqual({ done: 3, skipped: 0, failed: [] });

    const onlyB = createEncryptedStorage(blobs, createAudioKeyring(KEY_B));
    for (const [key, data] of [
      ["org/a1.mp3", a1],
      ["org/a2.mp3", a2],
      ["org/legacy.wav", legacy],
    ] as const) {
      expect(await onlyB.keyIdOf(key)).toBe(onlyB.keyring.current.id);
      expect((await readAll(await onlyB.get(key))).equals(data)).toBe(true);
      await expect(underA.get(key)).rejects.toThrow(/unknown key/);
    }
    expect(await rotateAudioKey(rotating, { logger })).toEqual({ done: 0, skipped: 3, failed: [] });
  });

  it("leaves a message it cannot decrypt (an unconfigured old key) as it is and reports it", async () => {
    const blobs = createLocalBlobStore(localDir());
    await createEncryptedStorage(blobs, createAudioKeyring(KEY_A)).put("org/x.mp3", Readable.from([audio(10)]), "");
    const before = await readAll(await blobs.get("org/x.mp3"));
    const r = await rotateAudioKey(createEncryptedStorage(blobs, createAudioKeyring(KEY_B)), { logger });
    expect(r.done).toBe(0);
    expect(r.failed).toEqual([{ key: "org/x.mp3", error: expect.stringMatching(/unknown key/) as string }]);
    expect((await readAll(await blobs.get("org/x.mp3"))).equals(before)).toBe(true);
  });
});

describe("storage move", () => {
  it("moves local -> postgres -> s3, resuming an interrupted run and re-copying a bad copy", async () => {
    const keyring = createAudioKeyring(KEY_A);
    const local = createLocalBlobStore(localDir());
    const pg = createEncryptedStorage(createPostgresBlobStore(db.prisma), keyring);
    const s3s = createEncryptedStorage(createS3BlobStore(s3.options), keyring);
    const m1 = audio(200_000);
    const m2 = audio(3_000);
    const legacy = audio(7_000);
    await createEncryptedStorage(local, keyring).put("o/m1.mp3", Readable.from([m1]), "");
    await createEncryptedStorage(local, keyring).put("o/m2.mp3", Readable.from([m2]), "");
    await local.put("o/legacy.wav", Readable.from([legacy])); // stored before encryption existed
    await local.put("probe/left-over", Readable.from([Buffer.from("x")]));

    expect(await moveStorage(local, pg, { logger })).toEqual({ done: 3, skipped: 0, failed: [] });
    expect(await keysOf(local)).toEqual(["probe/left-over"]);
    expect((await readAll(await pg.get("o/legacy.wav"))).equals(legacy)).toBe(true);

    // An interrupted run to S3: m1 was copied but its source not yet deleted, m2's copy is corrupt.
    await s3s.blobs.put("o/m1.mp3", await pg.blobs.get("o/m1.mp3"));
    await s3s.blobs.put("o/m2.mp3", Readable.from([Buffer.from("half a file")]));
    const r = await moveStorage(pg.blobs, s3s, { logger });
    expect(r).toEqual({ done: 2, skipped: 1, failed: [] });
    expect(await keysOf(pg.blobs)).toEqual([]);
    expect(await keysOf(s3s.blobs)).toEqual(["o/legacy.wav", "o/m1.mp3", "o/m2.mp3"]);
    for (const [key, data] of [
      ["o/m1.mp3", m1],
      ["o/m2.mp3", m2],
      ["o/legacy.wav", legacy],
    ] as const)
      expect((await readAll(await s3s.get(key))).equals(data)).toBe(true);
  });

  it("keeps the source when the copy does not verify", async () => {
    const keyring = createAudioKeyring(KEY_A);
    const from = createLocalBlobStore(localDir());
    const m = audio(100_000);
    await createEncryptedStorage(from, keyring).put("o/m.mp3", Readable.from([m]), "");
    const real = createLocalBlobStore(localDir());
    // A destination that silently loses the last byte of whatever it is given.
    const lossy: BlobStore = {
      ...real,
      async put(key, body) {
        const all = await readAll(body);
        return real.put(key, Readable.from([all.subarray(0, all.length - 1)]));
      },
    };
    const r = await moveStorage(from, createEncryptedStorage(lossy, keyring), { logger });
    expect(r.done).toBe(0);
    expect(r.failed).toEqual([{ key: "o/m.mp3", error: expect.stringMatching(/differs/) as string }]);
    expect(await from.size("o/m.mp3")).not.toBeNull();
  });

  it("npm run cli -- storage move / probe / rotate-key work from the configuration", async () => {
    const dataDir = localDir();
    const env = {
      NODE_ENV: "test",
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      AUDIO_KEY: KEY_A.toString("base64"),
      ...s3.env,
      S3_BUCKET: s3.env.S3_BUCKET,
    };
    const local = createEncryptedStorage(
      createLocalBlobStore(path.join(dataDir, "recordings")),
      createAudioKeyring(KEY_A),
    );
    const m = audio(80_000);
    await local.put("o/cli.mp3", Readable.from([m]), "");
    const out: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    try {
      const run = (args: string[], extra: Record<string, string> = {}) =>
        storageCommand.run(args, { config: loadConfig({ ...env, ...extra }), logger });
      expect(await run(["move", "--from", "local", "--to", "s3"])).toBe(0);
      expect(out).toContain("copied o/cli.mp3");
      expect(out.join("\n")).toMatch(/Now set STORAGE=s3/);
      expect(await run(["probe"], { STORAGE: "s3" })).toBe(0);
      const rotated = { STORAGE: "s3", AUDIO_KEY: KEY_B.toString("base64"), AUDIO_KEYS_OLD: KEY_A.toString("base64") };
      expect(await run(["rotate-key"], rotated)).toBe(0);
      expect(out).toContain("re-encrypted o/cli.mp3");
      expect(await run(["move", "--from", "s3"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    const s3b = createEncryptedStorage(createS3BlobStore(s3.options), createAudioKeyring(KEY_B));
    expect((await readAll(await s3b.get("o/cli.mp3"))).equals(m)).toBe(true);
    expect(await local.size("o/cli.mp3")).toBeNull();
  });
});
