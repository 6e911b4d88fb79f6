import type { Job } from "../jobs/index.js";
import {
  anonymiseCallerHashes,
  deleteExpiredCalls,
  eraseStaleCiphertexts,
  forgetInboundSms,
  purgeReviewedAudio,
} from "./service.js";

/**
 * Retention runs as two jobs: audio after review hourly (the setting is in
 * days, an hour late is harmless), the rest nightly when traffic is low.
 */
export const retentionJobs: Job[] = [
  {
    id: "retention.audio",
    schedule: "0 17 * * * *",
    handler: async (ctx) => {
      await purgeReviewedAudio(ctx);
    },
  },
  {
    id: "retention.nightly",
    schedule: "0 40 3 * * *",
    handler: async (ctx) => {
      await eraseStaleCiphertexts(ctx);
      await anonymiseCallerHashes(ctx);
      await deleteExpiredCalls(ctx);
      await forgetInboundSms(ctx);
    },
  },
];
