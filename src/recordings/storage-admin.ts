import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { Logger } from "../lib/logger.js";
import { encryptAudio, isEncryptedAudio } from "./audio-crypto.js";
import { PROBE_PREFIX } from "./rules.js";
import { readAll, type BlobStore, type EncryptedStorage } from "./storage.js";

/*
 * Operator work on stored audio (npm run cli -- storage …): moving every
 * message from one backend to another and re-encrypting under the current
 * key. Both walk the objects one at a time, are safe to interrupt and to run
 * again, and never delete or replace anything before its copy is verified.
 */

export interface StorageRunReport {
  /** Objects handled in this run (copied, or re-encrypted). */
  done: number;
  /** Already in place (a resumed run) or already under the current key. */
  skipped: number;
  failed: { key: string; error: string }[];
}

async function digest(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const p of stream as AsyncIterable<Buffer>) {
    h.update(p);
    bytes += p.length;
  }
  return { sha256: h.digest("hex"), bytes };
}

async function startsEncrypted(blobs: BlobStore, key: string, size: number): Promise<boolean> {
  if (size < 4) return false;
  return isEncryptedAudio(await readAll(await blobs.get(key, { start: 0, end: 3 })));
}

/**
 * Copies every object from `from` to `to`, verifies the copy, then deletes the
 * source. Encrypted objects are copied byte for byte and verified by size and
 * SHA-256 of the stored bytes; unencrypted files from before encryption are
 * encrypted under the current key on the way and verified by decrypting the
 * copy and comparing the audio's SHA-256. A copy already present and equal (an
 * interrupted run) is not copied again.
 */
export async function moveStorage(
  from: BlobStore,
  to: EncryptedStorage,
  opts: { logger: Logger; onProgress?: (key: string, outcome: string) => void },
): Promise<StorageRunReport> {
  const report: StorageRunReport = { done: 0, skipped: 0, failed: [] };
  // Listing first: deleting while a backend's listing pages through would skip objects.
  const keys: string[] = [];
  for await (const key of from.list()) if (!key.startsWith(PROBE_PREFIX)) keys.push(key);
  for (const key of keys) {
    try {
      const size = await from.size(key);
      if (size === null) continue; // deleted meanwhile (retention)
      const encrypted = await startsEncrypted(from, key, size);
      // Encrypted: the stored bytes must match exactly. Unencrypted: the audio the copy decrypts to.
      const expected = { ...(await digest(await from.get(key))), stored: encrypted ? size : null };
      const verify = async () => {
        const stored = await to.blobs.size(key);
        if (stored === null) return false;
        if (expected.stored !== null) {
          if (stored !== expected.stored) return false;
          return (await digest(await to.blobs.get(key))).sha256 === expected.sha256;
        }
        const plain = await digest(await to.get(key));
        return plain.bytes === expected.bytes && plain.sha256 === expected.sha256;
      };
      let outcome = "skipped";
      if (!(await verify().catch(() => false))) {
        const source = await from.get(key);
        await to.blobs.put(key, encrypted ? source : Readable.from(encryptAudio(source, to.keyring.current)));
        if (!(await verify())) throw new Error("copy differs from the source after writing (size or SHA-256)");
        outcome = "copied";
      }
      await from.delete(key);
      if (outcome === "copied") report.done++;
      else report.skipped++;
      opts.onProgress?.(key, outcome);
    } catch (err) {
      const error = (err as Error).message;
      report.failed.push({ key, error });
      opts.logger.error("storage move failed for one object; its source is kept", { key, error });
    }
  }
  return report;
}

/**
 * Re-encrypts every object not under the current AUDIO_KEY (including files
 * stored before encryption) and verifies the audio is unchanged. Old keys
 * must still be configured (AUDIO_KEYS_OLD) until this has run.
 */
export async function rotateAudioKey(
  storage: EncryptedStorage,
  opts: { logger: Logger; onProgress?: (key: string, outcome: string) => void },
): Promise<StorageRunReport> {
  const report: StorageRunReport = { done: 0, skipped: 0, failed: [] };
  const keys: string[] = [];
  for await (const key of storage.blobs.list()) if (!key.startsWith(PROBE_PREFIX)) keys.push(key);
  for (const key of keys) {
    try {
      const keyId = await storage.keyIdOf(key);
      if (keyId === null) continue;
      if (keyId === storage.keyring.current.id) {
        report.skipped++;
        continue;
      }
      const before =
        keyId === "plain" ? await digest(await storage.blobs.get(key)) : await digest(await storage.get(key));
      // put() is atomic in every backend: readers see the old object until the new one is complete.
      const plain = keyId === "plain" ? await storage.blobs.get(key) : await storage.get(key);
      await storage.put(key, plain, "application/octet-stream");
      const after = await digest(await storage.get(key));
      if ((await storage.keyIdOf(key)) !== storage.keyring.current.id || after.sha256 !== before.sha256)
        throw new Error("re-encrypted audio differs from the original");
      report.done++;
      opts.onProgress?.(key, "re-encrypted");
    } catch (err) {
      const error = (err as Error).message;
      report.failed.push({ key, error });
      opts.logger.error("re-encrypting one voice message failed", { key, error });
    }
  }
  return report;
}
