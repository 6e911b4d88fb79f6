import nock from "nock";
import { afterAll, vi } from "vitest";

/**
 * The suite runs its files one after another in each worker process without
 * re-importing the modules (vitest.config.ts, `isolate: false`): importing the
 * service, Prisma, twilio-node and the AWS client once per worker instead of
 * once per file is what keeps `npm test` under two minutes. So what one file
 * leaves behind in process-wide state must not reach the next: after every
 * file, whatever it did, the HTTP interceptors, the network switch, the timers,
 * spies and stubbed variables go back to how a fresh process has them.
 */
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});
