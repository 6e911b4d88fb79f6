import path from "node:path";
import type { CliCommand } from "../cli.js";
import { backupEmbedded, restoreEmbedded } from "./backup.js";

const serverHint =
  "DATABASE_URL is set: back up a PostgreSQL server with pg_dump / pg_restore (see README, Upgrading and backups)";

export const backupCommand: CliCommand = {
  usage: "FILE   back up the embedded database, voice messages and generated keys (service stopped)",
  async run(args, { config }) {
    const [file] = args;
    if (!file) {
      console.error("usage: npm run cli -- backup FILE");
      return 2;
    }
    if (!config.embeddedDatabase) {
      console.error(serverHint);
      return 2;
    }
    try {
      const m = await backupEmbedded(path.resolve(config.DATA_DIR), path.resolve(file));
      console.log(
        `backed up ${path.resolve(config.DATA_DIR)} to ${path.resolve(file)}: version ${m.version}, ` +
          `migration ${m.migrations.at(-1) ?? "(none)"}, ${m.files} files beside the database. ` +
          "It holds the number key when DATA_DIR/keys has it: keep it as safe as the key.",
      );
      return 0;
    } catch (err) {
      console.error(`backup failed: ${(err as Error).message}`);
      return 1;
    }
  },
};

export const restoreCommand: CliCommand = {
  usage: "FILE  restore a backup into DATA_DIR (which must not hold a database yet)",
  async run(args, { config }) {
    const [file] = args;
    if (!file) {
      console.error("usage: npm run cli -- restore FILE");
      return 2;
    }
    if (!config.embeddedDatabase) {
      console.error(serverHint);
      return 2;
    }
    try {
      const m = await restoreEmbedded(path.resolve(file), path.resolve(config.DATA_DIR));
      console.log(
        `restored the backup of ${m.createdAt} (version ${m.version}) into ${path.resolve(config.DATA_DIR)}; ` +
          "start the service on it (a newer version applies its migrations at start-up)",
      );
      return 0;
    } catch (err) {
      console.error(`restore failed: ${(err as Error).message}`);
      return 1;
    }
  },
};
