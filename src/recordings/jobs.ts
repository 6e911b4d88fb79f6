import type { Job } from "../jobs/index.js";
import { sweepOrphanAudioParts } from "./pg-storage.js";

/** Orphaned parts seen at the last sweep of this instance, per database; deleted if still orphans at the next. */
const suspectsByDb = new WeakMap<object, ReadonlySet<string>>();

export const recordingJobs: Job[] = [
  {
    id: "recordings.orphan-parts",
    schedule: "0 47 * * * *",
    handler: async (ctx) => {
      const r = await sweepOrphanAudioParts(ctx.prisma, suspectsByDb.get(ctx.prisma) ?? new Set());
      suspectsByDb.set(ctx.prisma, r.suspects);
      if (r.deleted || r.suspects.size)
        ctx.logger.info("audio parts of unfinished uploads", { deletedParts: r.deleted, suspects: r.suspects.size });
    },
  },
];
