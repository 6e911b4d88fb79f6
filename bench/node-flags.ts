/**
 * The service runs with these Node.js flags in production (package.json "start",
 * docs/systemd/nki.service), and the benchmarks that run the service in their
 * own process run it the same way: runWithServiceFlags() re-executes the
 * benchmark with them when they are missing. BENCH_SERVICE_FLAGS=off measures
 * without them.
 *
 * --v8-pool-size=1: one background thread for V8 (concurrent marking, parallel
 * scavenges, concurrent compiles) instead of Node's default 4. On the 2-core
 * VM, a major GC's 4 marking threads took both cores for 5–15 ms at a time
 * (while the slowest 1 % of webhooks waited, they used 42 % of the machine's
 * CPU), and the service thread and PostgreSQL's backends waited for a core:
 * the webhook tail (bench/RESULTS.md, "Where the TwiML tail comes from").
 */
import { spawnSync } from "node:child_process";

export const SERVICE_NODE_FLAGS = ["--v8-pool-size=1"];

/** Re-runs this process with SERVICE_NODE_FLAGS unless it has them (or BENCH_SERVICE_FLAGS=off); exits with its code. */
export function runWithServiceFlags(): void {
  if (process.env.BENCH_SERVICE_FLAGS === "off") return;
  const have = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  const missing = SERVICE_NODE_FLAGS.filter((f) => !have.includes(f));
  if (missing.length === 0) return;
  const r = spawnSync(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
