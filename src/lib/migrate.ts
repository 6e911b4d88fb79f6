import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { z } from "zod";
import { sqlRows, type Db } from "./db.js";
import type { Logger } from "./logger.js";
import { PACKAGE_ROOT } from "./package-root.js";

/**
 * Applies prisma/migrations/NNN_name/migration.sql in order, each in its own
 * transaction, under Prisma's advisory lock, recorded in Prisma's own
 * `_prisma_migrations` format so the Prisma CLI sees the same state.
 * (`prisma migrate deploy` with the JS engine fails on PostgreSQL: prisma#27403.)
 */
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, "prisma/migrations");
const PRISMA_ADVISORY_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function migrate(url: string, logger?: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = readMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    refuseNewerDatabase([...done.keys()], migrations);
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior) {
        if (prior !== m.checksum)
          throw new Error(`migration ${m.name} was changed after it was applied (checksum differs)`);
        continue;
      }
      const id = randomUUID();
      await client.query("BEGIN");
      try {
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
      logger?.info("migration applied", { migration: m.name });
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
  return applied;
}

/** The version of this build, for messages an operator reads during an upgrade. */
export function buildVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export class NewerDatabaseError extends Error {}

/**
 * A database that a newer version has migrated may have columns, constraints
 * or meanings this build does not know: writing to it could corrupt it. So the
 * service refuses to start and names both sides; the fix is to run the newer
 * version (or restore the backup taken before the upgrade).
 */
export function refuseNewerDatabase(appliedNames: string[], known: Migration[]): void {
  const knownNames = new Set(known.map((m) => m.name));
  const unknown = appliedNames.filter((n) => !knownNames.has(n)).sort();
  if (unknown.length === 0) return;
  const latestKnown = known.at(-1)?.name ?? "(none)";
  const latestApplied = [...appliedNames].sort().at(-1)!;
  throw new NewerDatabaseError(
    `The database was migrated by a newer version of this service: it has migration ${unknown.join(", ")} ` +
      `(database at ${latestApplied}), which this build (nki-survey ${buildVersion()}, migrations up to ${latestKnown}) ` +
      `does not know. Start the newer version, or restore the backup taken before the upgrade.`,
  );
}

/** For /readyz: true when every migration file is recorded as finished. */
export async function migrationsPending(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const rows = await sqlRows(
    db,
    z.strictObject({ migration_name: z.string() }),
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const done = new Set(rows.map((r) => r.migration_name));
  return readMigrations(dir)
    .map((m) => m.name)
    .filter((n) => !done.has(n));
}
