import type { Job } from "../jobs/index.js";
import { pullAllPeers } from "./service.js";

/**
 * Pulls every exchange peer once a day, at 04:17 (a quiet hour, off the full
 * hour every other installation might pick). Each peer's request has its own
 * timeout, so one peer that hangs cannot hold the others.
 */
export const exchangeJobs: Job[] = [
  {
    id: "exchange.pull",
    schedule: "0 17 4 * * *",
    handler: async (ctx) => {
      const outcomes = await pullAllPeers(ctx, ctx.config.EXCHANGE_PULL_TIMEOUT_SECONDS * 1000);
      if (outcomes.length)
        ctx.logger.info("exchange pull done", {
          peers: outcomes.length,
          failed: outcomes.filter((o) => !o.ok).map((o) => o.peer),
        });
    },
  },
];
