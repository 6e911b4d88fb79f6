import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Where voice-message audio lives. Local directory by default; the interface
 * is what an S3-compatible store would implement.
 */
export interface RecordingStorage {
  /** Stores the stream under key atomically; returns the stored size in bytes. */
  put(key: string, body: Readable, contentType: string): Promise<{ sizeBytes: number }>;
  /** A byte range [start, end] inclusive, or the whole object. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,200}$/;

export function createLocalStorage(root: string): RecordingStorage {
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes("..")) throw new Error(`unsafe storage key: ${key}`);
    return path.join(root, key);
  };
  return {
    async put(key, body) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      // Write then rename: a crash never leaves a half file under the final name.
      const tmp = `${file}.${process.pid}.partial`;
      try {
        await pipeline(body, createWriteStream(tmp, { mode: 0o600 }));
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      await rename(tmp, file);
      return { sizeBytes: (await stat(file)).size };
    },
    async get(key, range) {
      return createReadStream(resolve(key), range ? { start: range.start, end: range.end } : undefined);
    },
    async size(key) {
      try {
        return (await stat(resolve(key))).size;
      } catch {
        return null;
      }
    },
    async delete(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
