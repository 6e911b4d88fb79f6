import { writeFileSync } from "node:fs";
import path from "node:path";
import { flowJsonSchema } from "./flow-schema.js";
import { DEFAULT_FLOWS_DIR } from "./flows.js";

/** The committed flows/flow.schema.json: generated, never edited by hand. */
export function renderFlowJsonSchema(): string {
  return `${JSON.stringify({ title: "NKI survey flow", ...flowJsonSchema() }, null, 2)}\n`;
}

// npm run flows:schema
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const file = path.join(DEFAULT_FLOWS_DIR, "flow.schema.json");
  writeFileSync(file, renderFlowJsonSchema());
  console.log(`wrote ${file}`);
}
