import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { buildVersion, readMigrations } from "./migrate.js";
import { readTar, writeTar, type TarEntry } from "./tar.js";

/**
 * Backup and restore of the embedded database (PGlite in DATA_DIR/pg) with
 * the files the service keeps beside it: voice messages (DATA_DIR/recordings)
 * and a generated number key (DATA_DIR/keys, without which the stored numbers
 * can neither be read nor matched). One gzip'd tar file:
 *   nki-backup.json   what was backed up, by which version, at which migration
 *   pg.tar.gz         PGlite's own dump of its data directory
 *   recordings/…, keys/…
 * The database is dumped closed (PGlite is one process per data directory),
 * so the service must be stopped first. On a PostgreSQL server use pg_dump.
 */
export interface BackupManifest {
  format: "nki-backup/1";
  createdAt: string;
  version: string;
  migrations: string[];
  files: number;
}

const MANIFEST = "nki-backup.json";
const COPIED_DIRS = ["recordings", "keys"];

function serviceIsRunning(dataDir: string): Promise<boolean> {
  const sock = path.join(dataDir, "run", ".s.PGSQL.5432");
  if (!existsSync(sock)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = net.createConnection(sock);
    s.once("connect", () => {
      s.end();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function filesUnder(root: string, dir: string): string[] {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && !d.name.endsWith(".partial"))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join("/"))
    .sort();
}

export async function backupEmbedded(dataDir: string, file: string): Promise<BackupManifest> {
  const pgDir = path.join(dataDir, "pg");
  if (!existsSync(pgDir)) throw new Error(`no embedded database in ${pgDir}`);
  if (await serviceIsRunning(dataDir))
    throw new Error(`the service is running on ${dataDir}: stop it, then back up (the database is copied closed)`);
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(pgDir);
  let dump: Buffer;
  let migrations: string[];
  try {
    const applied = await db
      .query<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
      )
      .catch(() => ({ rows: [] as { migration_name: string }[] }));
    migrations = applied.rows.map((r) => r.migration_name);
    dump = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer());
  } finally {
    await db.close();
  }
  const extra: TarEntry[] = COPIED_DIRS.flatMap((d) => filesUnder(dataDir, d)).map((name) => ({
    name,
    data: readFileSync(path.join(dataDir, name)),
  }));
  const manifest: BackupManifest = {
    format: "nki-backup/1",
    createdAt: new Date().toISOString(),
    version: buildVersion(),
    migrations,
    files: extra.length,
  };
  const tar = writeTar([
    { name: MANIFEST, data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    { name: "pg.tar.gz", data: dump },
    ...extra,
  ]);
  // Written then renamed: an interrupted backup never looks like a complete one.
  const tmp = `${file}.partial`;
  writeFileSync(tmp, gzipSync(tar), { mode: 0o600 });
  renameSync(tmp, file);
  return manifest;
}

/** Restores a backup into a data directory that has no database yet. */
export async function restoreEmbedded(file: string, dataDir: string): Promise<BackupManifest> {
  const pgDir = path.join(dataDir, "pg");
  if (existsSync(pgDir) && readdirSync(pgDir).length > 0)
    throw new Error(`${pgDir} already holds a database: restore into a new DATA_DIR`);
  const entries = readTar(gunzipSync(readFileSync(file)));
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  const dump = entries.find((e) => e.name === "pg.tar.gz");
  if (!manifestEntry || !dump) throw new Error(`${file} is not an NKI backup (no ${MANIFEST} or database dump)`);
  const manifest = JSON.parse(manifestEntry.data.toString("utf8")) as BackupManifest;
  const known = new Set(readMigrations().map((m) => m.name));
  const unknown = manifest.migrations.filter((m) => !known.has(m));
  if (unknown.length)
    throw new Error(
      `this backup was taken by version ${manifest.version} with migration ${unknown.join(", ")}, which this build ` +
        `(${buildVersion()}) does not know: restore it with that version or a newer one`,
    );
  for (const e of entries) {
    if (e.name === MANIFEST || e.name === "pg.tar.gz") continue;
    const target = path.resolve(dataDir, e.name);
    if (!COPIED_DIRS.some((d) => target.startsWith(path.resolve(dataDir, d) + path.sep)))
      throw new Error(`unexpected file in the backup: ${e.name}`);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    writeFileSync(target, e.data, { mode: 0o600 });
  }
  mkdirSync(pgDir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create({ dataDir: pgDir, loadDataDir: new Blob([new Uint8Array(dump.data)]) });
  try {
    await db.query("SELECT 1");
  } finally {
    await db.close();
  }
  return manifest;
}
