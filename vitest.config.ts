import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One migrated database, copied for each file (test/support/global-setup.ts).
    globalSetup: ["test/support/global-setup.ts"],
    // Each file gets its own database; two workers fit this 2-core machine.
    pool: "forks",
    maxWorkers: 2,
    // Each worker imports the service's modules once and runs its files in turn, instead of a
    // fresh module graph per file (80 of 175 s on a quiet machine was import). What a file
    // changes in process-wide state is put back after it (test/support/file-hygiene.ts); the
    // service's own module state is keyed by database or id, and metrics tests read deltas.
    isolate: false,
    setupFiles: ["test/support/file-hygiene.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: "test" },
  },
});
