import path from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand } from "../cli.js";
import { openDatabase } from "../lib/db.js";
import { migrate } from "../lib/migrate.js";
import { moveStorage, rotateAudioKey, type StorageRunReport } from "./storage-admin.js";
import { createRecordingStorage, openBlobStore, STORAGE_KINDS, type StorageKind } from "./storage-factory.js";
import { createEncryptedStorage } from "./storage.js";

const USAGE =
  "move --from <postgres|s3|local> --to <postgres|s3|local> | rotate-key | probe   " +
  "move voice messages between storages (resumable, verified, source deleted only after), re-encrypt under AUDIO_KEY, or check the configured storage";

function summary(what: string, r: StorageRunReport): number {
  console.log(`${what}: ${r.done} done, ${r.skipped} already in place, ${r.failed.length} failed`);
  for (const f of r.failed) console.log(`  ${f.key}: ${f.error}`);
  return r.failed.length ? 1 : 0;
}

export const storageCommand: CliCommand = {
  usage: USAGE,
  async run(args, { config, logger }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { from: { type: "string" }, to: { type: "string" } },
    });
    const [action] = positionals;
    const isKind = (k: string | undefined): k is StorageKind => STORAGE_KINDS.includes(k as StorageKind);
    if (
      positionals.length !== 1 ||
      !["move", "rotate-key", "probe"].includes(action) ||
      (action === "move" && (!isKind(values.from) || !isKind(values.to) || values.from === values.to))
    ) {
      console.error(`usage: npm run cli -- storage ${USAGE}`);
      return 2;
    }
    const dataDir = path.resolve(config.DATA_DIR);
    const db = await openDatabase({ url: config.DATABASE_URL, dataDir, logger, poolSize: 2 });
    const { storage, keySource } = createRecordingStorage(config, { prisma: db.prisma, dataDir });
    const opened = [storage.blobs];
    try {
      await migrate(db.url, logger);
      const progress = (key: string, outcome: string) => console.log(`${outcome} ${key}`);
      if (action === "probe") {
        await storage.probe();
        console.log(`storage ${storage.blobs.kind} answers: probe object written, read back and deleted`);
        return 0;
      }
      if (action === "rotate-key") {
        console.log(`re-encrypting under the current key (${storage.keyring.current.id}, from ${keySource})`);
        return summary("rotate-key", await rotateAudioKey(storage, { logger, onProgress: progress }));
      }
      const deps = { prisma: db.prisma, dataDir };
      const from = openBlobStore(values.from as StorageKind, config, deps);
      const to = createEncryptedStorage(openBlobStore(values.to as StorageKind, config, deps), storage.keyring);
      opened.push(from, to.blobs);
      const r = await moveStorage(from, to, { logger, onProgress: progress });
      const code = summary(`move ${values.from} -> ${values.to}`, r);
      if (!code && values.to !== config.STORAGE)
        console.log(`Now set STORAGE=${values.to} (it is ${config.STORAGE}) and restart the service.`);
      return code;
    } catch (err) {
      console.error((err as Error).message);
      return 1;
    } finally {
      for (const b of opened) await b.close?.();
      await db.close();
    }
  },
};
