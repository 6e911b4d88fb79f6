/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes
 * the schema at git HEAD (or an empty database with --from-empty) to the
 * current prisma/schema.prisma. `prisma migrate diff` needs some reachable
 * PostgreSQL as a shadow, so this starts an in-memory embedded one.
 *
 *   npm run db:migration -- add_targets
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/lib/db.js";

const args = process.argv.slice(2);
const fromEmpty = args.includes("--from-empty");
const name = args.find((a) => !a.startsWith("--"));
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name> [--from-empty]");
  process.exit(2);
}
const pg = await startEmbeddedPostgres({});
try {
  const from: string[] = ["--from-empty"];
  if (!fromEmpty) {
    const old = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8" });
    const file = path.join(mkdtempSync(path.join(tmpdir(), "schema-")), "schema.prisma");
    writeFileSync(file, old);
    from.splice(0, 1, "--from-schema-datamodel", file);
  }
  // Asynchronously: the embedded server lives in this process's event loop.
  const { stdout: sql } = await promisify(execFile)(
    "npx",
    ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    { encoding: "utf8", env: { ...process.env, DATABASE_URL: pg.url } },
  );
  if (!sql.trim() || /empty migration/i.test(sql)) {
    console.log("schema unchanged: no migration written");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql);
    console.log(`wrote ${dir}/migration.sql`);
  }
} finally {
  await pg.stop();
}
