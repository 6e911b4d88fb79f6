import type { Job } from "../jobs/index.js";
import { answersFolded } from "../lib/metrics.js";
import { FLUSH_BATCH, flushAnswerInbox } from "./rollup.js";

/**
 * Folds new answers into the rollups every second. Results are exact without
 * it (they read the inbox too); it keeps the inbox small so they stay fast.
 * A backlog (after downtime) drains batch by batch within the tick.
 */
export const resultsJobs: Job[] = [
  {
    id: "results.flush-inbox",
    schedule: "* * * * * *",
    handler: async (ctx) => {
      let moved = 0;
      let n: number;
      do {
        n = await flushAnswerInbox(ctx.prisma);
        moved += n;
      } while (n === FLUSH_BATCH);
      answersFolded(moved);
      if (moved > FLUSH_BATCH) ctx.logger.info("answer inbox backlog folded into the rollups", { answers: moved });
    },
  },
];
