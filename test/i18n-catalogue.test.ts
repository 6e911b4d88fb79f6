import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../src/i18n/en/index.js";
import { sv } from "../src/i18n/sv/index.js";
import { fmt, int, num, pct } from "../src/i18n/format.js";

// Every user-visible text lives in src/i18n/<lang>/: one catalogue per language,
// English typed from Swedish so tsc catches a missing key. This static scan of
// src/ keeps it that way: no tr(sv, en) helper and no second text table.

const ROOT = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return rel === "src/i18n" || rel === "src/generated" ? [] : sourceFiles(rel);
    return /\.(ts|js)$/.test(e.name) ? [rel] : [];
  });
}

/** Ways a text table or a two-language choice shows itself in code. */
const PATTERNS: [string, RegExp][] = [
  ["tr( call", /(?<![\w.])tr\(/],
  ["sv/en text table", /^\s*["']?sv["']?\s*:\s*\{[\s\S]*?^\s*["']?en["']?\s*:\s*\{/m],
  // a text (with a space or a Swedish letter) beside its English: not ids such as { sv: "nki-sv" }
  ["{ sv, en } pair", /\bsv\s*:\s*["'`][^"'`\n]*[\sÅÄÖåäö][^\n]*\ben\s*:\s*["'`]/],
  ["[sv, en] pair", /\[\s*sv\s*:\s*string\s*,\s*en\s*:\s*string\s*\]/],
  // a choice between two texts; choosing a language or locale code is fine
  ["language ternary", /\b(?:lang|L|\w+\.lang)\s*===?\s*["'](?:en|sv)["']\s*\?(?!\s*["'](?:en|sv|en-GB|sv-SE)["'])/],
];

/** Files not converted yet; empty when the work is done. */
const PENDING = new Set<string>([]);

export function textTables(file: string, text: string): string[] {
  return PATTERNS.filter(([, re]) => re.test(text)).map(([what]) => `${file}: ${what}`);
}

function keyPaths(o: unknown, prefix = ""): string[] {
  if (typeof o !== "object" || o === null || Array.isArray(o))
    return [`${prefix}:${typeof o}${Array.isArray(o) ? o.length : ""}`];
  return Object.entries(o).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("one message catalogue per language", () => {
  it("finds no tr( and no second text table in src/", () => {
    const found = sourceFiles("src")
      .filter((f) => !PENDING.has(f))
      .flatMap((f) => textTables(f, readFileSync(path.join(ROOT, f), "utf8")));
    expect(found).toEqual([]);
  });

  it("notices a tr( call and an sv/en table when one comes back", () => {
    expect(textTables("x.ts", 'const a = tr(lang, "Hej", "Hello");')).toHaveLength(1);
    expect(textTables("x.ts", 'const T = {\n  sv: { a: "Hej" },\n  en: { a: "Hello" },\n};')).toHaveLength(1);
    expect(textTables("x.ts", 'const home = lang === "en" ? "Home" : "Hem";')).toHaveLength(1);
    expect(textTables("x.ts", 'const L = { a: { sv: "Hej då", en: "Goodbye" } };')).toHaveLength(1);
    expect(textTables("x.ts", "const s = str(x); attr(y);")).toEqual([]);
  });

  it("has the same keys, and the same kind of value under each, in Swedish and English", () => {
    expect(keyPaths(en)).toEqual(keyPaths(sv));
  });
});

describe("numbers the Swedish way", () => {
  it("writes a decimal comma and a narrow no-break space between thousands", () => {
    expect(fmt("sv", 1234.5, 2)).toBe("1\u202f234,50");
    expect(int("sv", 12345)).toBe("12\u202f345");
    expect(num("sv", 4.2)).toBe("4,2");
    expect(pct("sv", 0.755)).toBe("76\u00a0%");
    expect(fmt("en", 1234.5, 1)).toBe("1,234.5");
    expect(fmt("sv", null)).toBe("–");
  });
});
