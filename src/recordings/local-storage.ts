import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { checkKey } from "./rules.js";
import type { BlobStore } from "./storage.js";

/** A directory (DATA_DIR/recordings): for a single instance configured for it (STORAGE=local). */
export function createLocalBlobStore(root: string): BlobStore {
  const resolve = (key: string) => path.join(root, checkKey(key));
  return {
    kind: "local",
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
    async *list() {
      let entries: string[];
      try {
        entries = await readdir(root, { recursive: true });
      } catch {
        return;
      }
      for (const rel of entries) {
        const key = rel.split(path.sep).join("/");
        if (key.endsWith(".partial")) continue;
        if ((await stat(path.join(root, rel))).isFile()) yield key;
      }
    },
  };
}
