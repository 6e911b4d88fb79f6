import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// zod compiles a schema on its first parse (about 0.1 ms of CPU): a row schema
// written inline in a statement call is built and compiled again on every call.
// On the paths each webhook, intake call, dispatch or flush takes, row schemas
// are module constants.
const HOT = [
  "src/survey",
  "src/intake",
  "src/dispatch",
  "src/sms",
  "src/telephony",
  "src/lib",
  "src/results/rollup.ts",
];
const COLD = new Set(["src/lib/migrate.ts"]); // once at start-up
const INLINE = /\bsql(?:Rows|Script)\w*\(\s*[\w.]+,\s*z\./g;

function files(p: string): string[] {
  if (p.endsWith(".ts")) return [p];
  return readdirSync(p, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(p, e.name)) : e.name.endsWith(".ts") ? [path.join(p, e.name)] : [],
  );
}

describe("row schemas on hot paths", () => {
  it("are built once, not inline in the statement call", () => {
    const found = HOT.flatMap(files)
      .filter((f) => !COLD.has(f))
      .flatMap((f) => {
        const text = readFileSync(f, "utf8");
        return [...text.matchAll(INLINE)].map((m) => `${f}:${text.slice(0, m.index).split("\n").length}`);
      });
    expect(found).toEqual([]);
  });
});
