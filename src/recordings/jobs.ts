import type { Job } from "../jobs/index.js";
import { sweepOrphanAudioParts } from "./pg-storage.js";

/** Orphaned parts seen at the last sweep of this instance; deleted if still orphans at the next. */
let suspects: ReadonlySet<string> = new Set();

export const recordingJobs: Job[] = [
  {
    id: "recordings.orphan-parts",
    schedule: "0 47 * * * *",
    handler: async (ctx) => {
      const r = await sweepOrphanAudioParts(ctx.prisma, suspects);
      suspects = r.suspects;
      if (r.deleted || r.suspects.size)
        ctx.logger.info("audio parts of unfinished uploads", { deletedParts: r.deleted, suspects: r.suspects.size });
    },
  },
];
