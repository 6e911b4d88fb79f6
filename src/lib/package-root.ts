import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The directory holding package.json, whether this file runs from src/ (tsx)
 * or from dist/ (`npm run build`, `node dist/main.js`). Files shipped beside the
 * code (flows/, prisma/migrations/, the web assets) are found from here, never
 * relative to a source file, so the built service finds the same ones.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
