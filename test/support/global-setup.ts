import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/lib/db.js";
import { migrate } from "../../src/lib/migrate.js";

/**
 * Migrates ONE database before the suite and lets every test file start from a
 * copy of it (test/support/db.ts), instead of each file running PGlite's
 * initdb and all migrations again: on PGlite a tarball of the migrated data
 * directory, on a server a template database (CREATE DATABASE … TEMPLATE).
 * test/migrations.test.ts still migrates from nothing (createTestDatabase({ migrate: false })).
 * Handed to the test workers through the environment, which they inherit.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `nki_test_template_${randomBytes(6).toString("hex")}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    await migrate(u.toString());
    process.env.NKI_TEST_TEMPLATE_DB = name;
    return async () => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "nki-test-template-"));
  const file = path.join(dir, "migrated.tar");
  const server = await startEmbeddedPostgres({});
  try {
    await migrate(server.url);
    await server.dump!(file);
  } finally {
    await server.stop();
  }
  process.env.NKI_TEST_TEMPLATE_DUMP = file;
  return async () => rmSync(dir, { recursive: true, force: true });
}
