import { defineConfig } from "vitest/config";

// `npm run test:unit`: the pure rules (no database, no network, no browser), in seconds.
// A file belongs here only if it needs none of test/support's databases or servers.
export default defineConfig({
  test: {
    include: [
      "test/auth-throttle-rules.test.ts",
      "test/calendar.test.ts",
      "test/calling-window.test.ts",
      "test/config.test.ts",
      "test/dispatch.rules.test.ts",
      "test/html.test.ts",
      "test/logger-format.test.ts",
      "test/privacy-scrub.test.ts",
      "test/privacy.test.ts",
      "test/results-stats.test.ts",
      "test/review.rules.test.ts",
      "test/sampling.test.ts",
      "test/signature.test.ts",
      "test/survey-engine.test.ts",
      "test/table-ownership.test.ts",
      "test/transcription.classify.test.ts",
      "test/transcription.masking.test.ts",
    ],
    env: { NODE_ENV: "test" },
  },
});
