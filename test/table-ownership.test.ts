import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Who may write which table is written down once, in docs/architecture.md ("Table ownership"),
// and kept by this static scan of src/: pure and fast, part of `npm run test:unit`.

const ROOT = path.resolve(import.meta.dirname, "..");
const PRISMA_WRITES =
  "createManyAndReturn|updateManyAndReturn|createMany|updateMany|deleteMany|create|update|upsert|delete";

export interface Write {
  table: string;
  file: string;
  how: string;
}

export interface Ownership {
  owner: string;
  /** Feature folders allowed to write besides the owner, each explained on the architecture page. */
  exceptions: string[];
}

function modelNames(schema: string): string[] {
  return [...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
}

/** Writes to the schema's tables in one file's text: Prisma model calls and SQL targets. */
export function findWrites(file: string, text: string, models: string[]): Write[] {
  const byDelegate = new Map(models.map((m) => [m[0].toLowerCase() + m.slice(1), m]));
  const writes: Write[] = [];
  const prisma = new RegExp(String.raw`\.\s*(\w+)\s*\.\s*(${PRISMA_WRITES})\s*\(`, "g");
  for (const m of text.matchAll(prisma)) {
    const table = byDelegate.get(m[1]);
    if (table) writes.push({ table, file, how: `${m[1]}.${m[2]}` });
  }
  for (const m of text.matchAll(/\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"(\w+)"/g)) {
    if (models.includes(m[2])) writes.push({ table: m[2], file, how: m[1].replace(/\s+/g, " ") });
  }
  return writes;
}

/** The ownership table of docs/architecture.md: table → owner and exceptions. */
export function parseOwnership(markdown: string): Map<string, Ownership> {
  const section = markdown.split(/^## Table ownership$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error("docs/architecture.md has no '## Table ownership' section");
  const owners = new Map<string, Ownership>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 6 || !cells[1].startsWith("`")) continue;
    const names = (cell: string) => [...cell.matchAll(/`([\w/.-]+)`/g)].map((m) => m[1]);
    const [owner] = names(cells[2]);
    for (const table of names(cells[1])) owners.set(table, { owner, exceptions: names(cells[4]) });
  }
  return owners;
}

/** The feature a file belongs to: its top folder under src/. */
export function featureOf(file: string): string {
  return file.split("/")[1].replace(/\.ts$/, "");
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return rel === "src/generated" ? [] : sourceFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

const models = modelNames(readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8"));
const ownership = parseOwnership(readFileSync(path.join(ROOT, "docs/architecture.md"), "utf8"));
const writes = sourceFiles("src").flatMap((f) => findWrites(f, readFileSync(path.join(ROOT, f), "utf8"), models));

describe("table ownership (docs/architecture.md)", () => {
  it("names an owner for every table of the schema, and no table the schema lacks", () => {
    expect([...ownership.keys()].sort()).toEqual([...models].sort());
    for (const [table, o] of ownership) expect(o.owner, table).toMatch(/^[a-z-]+$/);
  });

  it("finds writes the way the code spells them (the scan itself)", () => {
    const text = [
      "await tx.surveyCall.updateMany({ where: {} });",
      "await ctx.prisma\n  .optOut\n  .delete({ where: { id } });",
      "await db.answer.findMany({});",
      'sqlQuery(db, `WITH a AS (UPDATE "SurveyCall" SET x = 1) INSERT INTO "Answer" (id) SELECT 1`);',
      'sqlExecute(db, `DELETE FROM "AnswerInbox" WHERE id = $1`);',
      'sqlQuery(db, `SELECT * FROM "Answer" JOIN "Agent" a ON true`);',
      'sqlExecute(db, `UPDATE "NotATable" SET x = 1`);',
    ].join("\n");
    expect(findWrites("src/x/y.ts", text, models).map((w) => `${w.table} ${w.how}`)).toEqual([
      "SurveyCall surveyCall.updateMany",
      "OptOut optOut.delete",
      "SurveyCall UPDATE",
      "Answer INSERT INTO",
      "AnswerInbox DELETE FROM",
    ]);
  });

  it("finds the writes of src/ at all (the scan reads the tree)", () => {
    expect(writes.length).toBeGreaterThan(50);
    expect(writes.some((w) => w.table === "SurveyCall" && w.file === "src/survey/state.ts")).toBe(true);
  });

  it("lets no file outside a table's owner write it, except where the architecture page explains why", () => {
    const violations = writes
      .filter((w) => {
        const o = ownership.get(w.table);
        const feature = featureOf(w.file);
        return o && feature !== o.owner && !o.exceptions.includes(feature);
      })
      .map((w) => `${w.file} writes ${w.table} (${w.how}); owner: ${ownership.get(w.table)?.owner}`);
    expect(violations).toEqual([]);
  });

  it("keeps no exception that is no longer needed", () => {
    const unused = [...ownership].flatMap(([table, o]) =>
      o.exceptions
        .filter((feature) => !writes.some((w) => w.table === table && featureOf(w.file) === feature))
        .map((feature) => `${feature} on ${table}`),
    );
    expect(unused).toEqual([]);
  });

  it("has the Answer insert and the number-erasing rule once each", () => {
    const answerInserts = writes.filter((w) => w.table === "Answer" && w.how === "INSERT INTO");
    expect(answerInserts.map((w) => w.file).filter((f) => !f.startsWith("src/demo/"))).toEqual([
      "src/survey/repository.ts",
    ]);
    const erasing = sourceFiles("src").filter((f) =>
      /UPDATE\s+"CompletedCall"\s+SET\s+"callerNumberEnc"\s*=\s*NULL/.test(readFileSync(path.join(ROOT, f), "utf8")),
    );
    expect(erasing).toEqual(["src/intake/repository.ts"]);
  });
});
