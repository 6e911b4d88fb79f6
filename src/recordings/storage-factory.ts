import path from "node:path";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db.js";
import { loadAudioKeyring } from "./audio-crypto.js";
import { createLocalBlobStore } from "./local-storage.js";
import { createPostgresBlobStore } from "./pg-storage.js";
import type { S3Options } from "./s3-storage.js";
import { createEncryptedStorage, type BlobStore, type EncryptedStorage } from "./storage.js";

export type StorageKind = Config["STORAGE"];
export const STORAGE_KINDS: readonly StorageKind[] = ["postgres", "s3", "local"];

/** One backend, from the configuration (S3_* for s3, DATA_DIR for local, the service's database for postgres). */
export function openBlobStore(kind: StorageKind, config: Config, deps: { prisma: Db; dataDir: string }): BlobStore {
  switch (kind) {
    case "postgres":
      return createPostgresBlobStore(deps.prisma);
    case "local":
      return createLocalBlobStore(path.join(deps.dataDir, "recordings"));
    case "s3":
      if (!config.S3_BUCKET) throw new Error("S3_BUCKET is required for s3 storage");
      return lazyS3BlobStore({
        endpoint: config.S3_ENDPOINT,
        bucket: config.S3_BUCKET,
        region: config.S3_REGION,
        accessKeyId: config.S3_ACCESS_KEY_ID,
        secretAccessKey: config.S3_SECRET_ACCESS_KEY,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
      });
  }
}

/** The configured storage (STORAGE), encrypted with AUDIO_KEY (generated into DATA_DIR/keys when unset). */
export function createRecordingStorage(
  config: Config,
  deps: { prisma: Db; dataDir: string },
): { storage: EncryptedStorage; keySource: string } {
  const { keyring, source } = loadAudioKeyring(config.AUDIO_KEY, config.AUDIO_KEYS_OLD, deps.dataDir);
  return { storage: createEncryptedStorage(openBlobStore(config.STORAGE, config, deps), keyring), keySource: source };
}

/**
 * The S3 backend, its SDK loaded on first use: @aws-sdk/client-s3 takes about
 * a second to import, which every start and every test file paid although the
 * default storage is PostgreSQL.
 */
function lazyS3BlobStore(o: S3Options): BlobStore {
  let store: Promise<BlobStore> | undefined;
  const s3 = () => (store ??= import("./s3-storage.js").then((m) => m.createS3BlobStore(o)));
  return {
    kind: "s3",
    put: async (key, body) => (await s3()).put(key, body),
    get: async (key, range) => (await s3()).get(key, range),
    size: async (key) => (await s3()).size(key),
    delete: async (key) => (await s3()).delete(key),
    async *list() {
      yield* (await s3()).list();
    },
    async close() {
      if (store) await (await store).close?.();
    },
  };
}
