import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  EMBEDDED_POOL_SIZE,
  createPrisma,
  startEmbeddedPostgres,
  type EmbeddedServer,
  type Prisma,
} from "../../src/lib/db.js";
import { migrate } from "../../src/lib/migrate.js";

/**
 * Migrated PGlite databases that a closed test database left, emptied and
 * served on a new port (EmbeddedServer.recycle), for the next file in this
 * worker: vitest runs the files of a worker in one process (vitest.config.ts),
 * and loading the migrated template costs about 0.7 s a database, emptying
 * about 0.1 s. One whose schema the test changed is stopped instead.
 */
const idle: EmbeddedServer[] = [];

async function giveBack(server: EmbeddedServer): Promise<void> {
  try {
    await server.recycle!();
    idle.push(server);
  } catch {
    await server.stop();
  }
}

export interface TestDatabase {
  prisma: Prisma;
  url: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite served
 * on a loopback port by default, or a new database on the server named by
 * TEST_DATABASE_URL (CI runs both). Dropped again by close(). Under vitest it
 * starts as a copy of the database test/support/global-setup.ts migrated once
 * (a data-directory tarball, or a template database); elsewhere, or with
 * { migrate: false }, it is built from nothing.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  const template = opts.migrate !== false ? process.env.NKI_TEST_TEMPLATE_DB : undefined;
  const dump = opts.migrate !== false ? process.env.NKI_TEST_TEMPLATE_DUMP : undefined;
  let url: string;
  let teardown: () => Promise<void>;
  if (admin) {
    const name = `nki_test_${randomBytes(6).toString("hex")}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
    teardown = async () => {
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c2.end();
    };
  } else if (dump) {
    const server = idle.pop() ?? (await startEmbeddedPostgres({ fromDump: dump, recyclable: true }));
    url = server.url;
    teardown = () => giveBack(server);
  } else {
    const server = await startEmbeddedPostgres({});
    url = server.url;
    teardown = () => server.stop();
  }
  if (opts.migrate !== false && !(admin ? template : dump)) await migrate(url);
  // One connection on PGlite (see EMBEDDED_POOL_SIZE); a small pool on a real server.
  const prisma = createPrisma(url, admin ? 5 : EMBEDDED_POOL_SIZE);
  return {
    prisma,
    url,
    async close() {
      await prisma.$disconnect();
      await teardown();
    },
  };
}
