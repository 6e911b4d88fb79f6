import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildVersion, migrate, NewerDatabaseError, readMigrations } from "../src/lib/migrate.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/** Everything about the public schema that a migration can get wrong. */
async function catalog(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const q = async (sql: string) => (await c.query(sql)).rows.map((r) => Object.values(r).join(" | ")).sort();
    return {
      columns:
        await q(`SELECT table_name, column_name, udt_name, is_nullable, column_default FROM information_schema.columns
                        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      indexes: await q(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
      ),
      constraints: await q(`SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`),
      enums: await q(`SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_type t
                      JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`),
    };
  } finally {
    await c.end();
  }
}

describe("migrations", () => {
  let migrated: TestDatabase;
  let expected: TestDatabase;
  beforeAll(async () => {
    [migrated, expected] = await Promise.all([
      createTestDatabase({ migrate: false }),
      createTestDatabase({ migrate: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([migrated?.close(), expected?.close()]);
  });

  it("applied to an empty database produce exactly the schema in schema.prisma", async () => {
    expect(await migrate(migrated.url)).toEqual(readMigrations().map((m) => m.name));
    // What schema.prisma expects: Prisma's own SQL for it, from empty, applied to a second database.
    // (--from-url is refused with a driver adapter, so the two catalogs are compared instead.)
    const { stdout: sql } = await promisify(execFile)(
      "npx",
      ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { encoding: "utf8", env: { ...process.env, DATABASE_URL: expected.url } },
    );
    const c = new pg.Client({ connectionString: expected.url });
    await c.connect();
    await c.query(sql);
    await c.end();
    const [got, want] = await Promise.all([catalog(migrated.url), catalog(expected.url)]);
    expect(want.columns.length).toBeGreaterThan(50);
    expect(got).toEqual(want);
  });

  it("are recorded in Prisma's _prisma_migrations format and not re-applied", async () => {
    expect(await migrate(migrated.url)).toEqual([]);
    const c = new pg.Client({ connectionString: migrated.url });
    await c.connect();
    const { rows } = await c.query(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    await c.end();
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      readMigrations().map((m) => [m.name, m.checksum, 1]),
    );
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
  });
});

describe("a database migrated by a newer version", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("is refused at start-up, naming this build's version and the migration it does not know", async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000001', 'x', '29991231000000_from_the_future', now(), now(), 1)`,
    );
    await c.end();
    const err = await migrate(db.url).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(NewerDatabaseError);
    expect(err!.message).toContain("29991231000000_from_the_future");
    expect(err!.message).toContain(`nki-survey ${buildVersion()}`);
    expect(err!.message).toContain(readMigrations().at(-1)!.name);
  });
});
