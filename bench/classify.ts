/**
 * How often the suggested classification agrees with a person's label, on
 * 205 invented Swedish voice messages (bench/fixtures/labelled-messages.tsv):
 * precision and recall per category with the default rules
 * (src/transcription/default-rules.ts), and the förvaltning guesses made.
 *
 *   npx tsx bench/classify.ts [--rules my-rules.json] [--errors]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rulesSchema, suggest, type Classification } from "../src/transcription/classify.js";
import { DEFAULT_RULES } from "../src/transcription/default-rules.js";

const LABELS: Classification[] = ["klagomal", "berom", "forslag", "fraga", "inget"];

export interface Labelled {
  label: Classification;
  mean: number | null;
  text: string;
}

export function readLabelled(
  file = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "labelled-messages.tsv"),
): Labelled[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => {
      const [label, mean, text] = l.split("\t");
      if (!LABELS.includes(label as Classification) || !text) throw new Error(`bad line: ${l}`);
      return { label: label as Classification, mean: mean === "-" ? null : Number(mean), text };
    });
}

export function evaluate(rules = DEFAULT_RULES, set = readLabelled()) {
  const rows = set.map((m) => ({
    ...m,
    got: suggest(rules, m.text, m.mean === null ? null : { mean: m.mean }).classification,
  }));
  const perCategory = LABELS.map((c) => {
    const tp = rows.filter((r) => r.got === c && r.label === c).length;
    const predicted = rows.filter((r) => r.got === c).length;
    const actual = rows.filter((r) => r.label === c).length;
    return { category: c, n: actual, precision: predicted ? tp / predicted : 0, recall: actual ? tp / actual : 0 };
  });
  const accuracy = rows.filter((r) => r.got === r.label).length / rows.length;
  return { rows, perCategory, accuracy };
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const i = process.argv.indexOf("--rules");
  const rules = i > 0 ? rulesSchema.parse(JSON.parse(readFileSync(process.argv[i + 1], "utf8"))) : DEFAULT_RULES;
  const { rows, perCategory, accuracy } = evaluate(rules);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(`${rows.length} labelled messages, default rules${i > 0 ? " replaced by --rules" : ""}\n`);
  console.log("| category | messages | precision | recall |");
  console.log("|---|---:|---:|---:|");
  for (const c of perCategory) console.log(`| ${c.category} | ${c.n} | ${pct(c.precision)} | ${pct(c.recall)} |`);
  console.log(`\nagreement overall: ${pct(accuracy)}`);
  if (process.argv.includes("--errors"))
    for (const r of rows.filter((x) => x.got !== x.label)) console.log(`${r.label} → ${r.got}: ${r.text}`);
}
