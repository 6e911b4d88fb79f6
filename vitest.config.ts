import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One migrated database, copied for each file (test/support/global-setup.ts).
    globalSetup: ["test/support/global-setup.ts"],
    // Each file gets its own database; two workers fit this 2-core machine.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: "test" },
  },
});
