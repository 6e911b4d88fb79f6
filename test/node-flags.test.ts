import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SERVICE_NODE_FLAGS } from "../bench/node-flags.js";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");

/** The benchmarks run the service with the flags production starts it with (bench/node-flags.ts). */
describe("the service's Node.js flags", () => {
  it("are the same in npm start, the systemd unit and the benchmarks", () => {
    const start = (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts.start;
    const unit = read("docs/systemd/nki.service")
      .split("\n")
      .find((l) => l.startsWith("ExecStart="));
    for (const flag of SERVICE_NODE_FLAGS) {
      expect(start.split(" "), "package.json start").toContain(flag);
      expect(unit?.split(" "), "docs/systemd/nki.service ExecStart").toContain(flag);
    }
  });
});
