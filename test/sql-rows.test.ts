import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { sqlQuery, sqlRows } from "../src/lib/db.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

// Raw rows come back with the same JavaScript types on the pool and inside a transaction
// (where the statement runs through Prisma's raw path), and every row is checked against
// its statement's schema, so a renamed or retyped column fails instead of passing through.

const EVERY_TYPE = `
  SELECT 1::int AS i4, 9007199254740993::bigint AS i8, 1.25::numeric AS num, 0.5::float8 AS f8,
         true AS b, 'x'::text AS t, '00000000-0000-4000-8000-000000000001'::uuid AS id,
         '2025-03-30T01:30:00Z'::timestamptz AS ts, '2025-03-30'::date AS d,
         '{"a": [1, "b"]}'::jsonb AS j, '{"a": 1}'::json AS js, ARRAY[1, 2]::int[] AS arr,
         NULL::int AS nothing, 'completed'::"SurveyState" AS state, count(*) AS n`;

describe("raw SQL rows", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    "on a real server the pool's connections start no parallel workers (small statements, many at once)",
    async () => {
      const setting = z.strictObject({ max_parallel_workers_per_gather: z.string() });
      const rows = await sqlRows(db.prisma, setting, "SHOW max_parallel_workers_per_gather");
      expect(rows).toEqual([{ max_parallel_workers_per_gather: "0" }]);
    },
  );

  it("maps every column type the same on the pool and inside a transaction", async () => {
    const pooled = await sqlQuery<Record<string, unknown>>(db.prisma, EVERY_TYPE);
    const inTx = await db.prisma.$transaction((tx) => sqlQuery<Record<string, unknown>>(tx, EVERY_TYPE));
    expect(inTx).toEqual(pooled);
    expect(pooled[0]).toEqual({
      i4: 1,
      i8: "9007199254740993",
      num: "1.25",
      f8: 0.5,
      b: true,
      t: "x",
      id: "00000000-0000-4000-8000-000000000001",
      ts: new Date("2025-03-30T01:30:00Z"),
      d: pooled[0].d,
      j: { a: [1, "b"] },
      js: { a: 1 },
      arr: [1, 2],
      nothing: null,
      state: "completed",
      n: "1",
    });
    expect(pooled[0].d).toBeInstanceOf(Date);
  });

  it("parses rows with the statement's schema, on both paths", async () => {
    const row = z.strictObject({ id: z.string(), n: z.number(), at: z.date() });
    const text = `SELECT 'a' AS id, 2::int AS n, '2025-01-01T00:00:00Z'::timestamptz AS at`;
    const expected = [{ id: "a", n: 2, at: new Date("2025-01-01T00:00:00Z") }];
    expect(await sqlRows(db.prisma, row, text)).toEqual(expected);
    expect(await db.prisma.$transaction((tx) => sqlRows(tx, row, text))).toEqual(expected);
  });

  it("fails when a column is renamed, retyped, missing or extra", async () => {
    const row = z.strictObject({ id: z.string(), n: z.number() });
    await expect(sqlRows(db.prisma, row, `SELECT 'a' AS id, 2::int AS count`)).rejects.toThrow(/"n"|count/);
    await expect(sqlRows(db.prisma, row, `SELECT 'a' AS id, 2::bigint AS n`)).rejects.toThrow(/n/);
    await expect(sqlRows(db.prisma, row, `SELECT 'a' AS id, 2 AS n, 3 AS m`)).rejects.toThrow(/m/);
    await expect(db.prisma.$transaction((tx) => sqlRows(tx, row, `SELECT 'a' AS id, 2::bigint AS n`))).rejects.toThrow(
      /n/,
    );
  });
});

describe("raw statements in src/", () => {
  /** A raw statement whose rows are cast rather than checked. */
  const cast = /\bsqlQuery\s*[<(]|\$queryRaw(Unsafe)?\s*[<(`]/;

  /** Every .ts file under src/ (generated Prisma client left out), with its text. */
  function sources(dir = "src"): { file: string; text: string }[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return p === path.join("src", "generated") ? [] : sources(p);
      return e.name.endsWith(".ts") ? [{ file: p, text: readFileSync(p, "utf8") }] : [];
    });
  }

  it("return rows only through sqlRows or sqlScript (each with its zod schema), never cast", () => {
    const offenders = sources()
      .filter((s) => s.file !== path.join("src", "lib", "db.ts"))
      .flatMap((s) =>
        s.text
          .split("\n")
          .map((line, i) => ({ line, at: `${s.file}:${i + 1}` }))
          .filter(({ line }) => cast.test(line) && !line.trim().startsWith("//") && !line.trim().startsWith("*")),
      )
      .map((o) => o.at);
    expect(offenders).toEqual([]);
  });

  it("the scan catches a cast statement (the pattern is not dead)", () => {
    expect(cast.test("const rows = await sqlQuery<{ id: string }>(db, sql);")).toBe(true);
    expect(cast.test("const rows = await db.$queryRaw<{ n: bigint }[]>`SELECT 1`;")).toBe(true);
    expect(cast.test("const rows = await tx.$queryRawUnsafe<{ n: number }[]>(text);")).toBe(true);
    expect(cast.test("const rows = await sqlRows(db, schema, sql);")).toBe(false);
  });
});
