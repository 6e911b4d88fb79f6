import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedServer } from "../src/lib/db.js";

/**
 * The suite hands one started PGlite from test file to test file
 * (test/support/db.ts): what one file leaves must not reach the next.
 */
describe.skipIf(!!process.env.TEST_DATABASE_URL)("a recycled embedded database", () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startEmbeddedPostgres({ fromDump: process.env.NKI_TEST_TEMPLATE_DUMP, recyclable: true });
  });
  afterAll(async () => server?.stop());

  const connect = async (url: string) => {
    const c = new pg.Client({ connectionString: url });
    const errors: Error[] = [];
    c.on("error", (e) => errors.push(e));
    await c.connect();
    return { c, errors };
  };
  const org = (c: pg.Client, slug: string) =>
    c.query(`INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES (gen_random_uuid(), $1, $1, now())`, [
      slug,
    ]);

  it("is empty, on a new address, with the last user's connections closed and session reset", async () => {
    const before = server.url;
    const { c, errors } = await connect(before);
    await org(c, "left-behind");
    // An open transaction and a session setting, as a test stopped half-way would leave them.
    await c.query("BEGIN");
    await c.query("SET statement_timeout = 1234");
    await org(c, "uncommitted");

    const url = await server.recycle!();
    expect(url).not.toBe(before);
    expect(server.url).toBe(url);
    await expect(c.query("SELECT 1")).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);

    const next = await connect(url);
    expect((await next.c.query(`SELECT count(*)::int AS n FROM "Organization"`)).rows[0].n).toBe(0);
    expect((await next.c.query("SHOW statement_timeout")).rows[0].statement_timeout).toBe("0");
    // The migrations' record is kept: the next user's start-up finds the schema current.
    expect((await next.c.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`)).rows[0].n).toBeGreaterThan(0);
    await org(next.c, "left-behind");
    await next.c.end();
  });

  it("is refused once a user changed the schema, so the suite starts a fresh one instead", async () => {
    const { c } = await connect(server.url);
    await c.query(`ALTER TABLE "Organization" ADD COLUMN extra int`);
    await c.end();
    await expect(server.recycle!()).rejects.toThrow(/schema was changed/);
  });
});
