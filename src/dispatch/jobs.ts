import type { Job } from "../jobs/index.js";
import { processDueVoiceMessages } from "../recordings/voice-messages.js";
import { dispatchTick, markDispatcherTick } from "./dispatcher.js";
import { reconcileStale } from "./reconcile.js";

/** The dispatcher's jobs; src/service.ts starts them with the others. */
export const dispatchJobs: Job[] = [
  {
    id: "dispatch-tick",
    schedule: "* * * * * *",
    handler: async (ctx) => {
      markDispatcherTick(ctx);
      const r = await dispatchTick(ctx);
      if (r.claimed > 0) ctx.logger.debug("dispatch tick", { ...r });
    },
  },
  {
    id: "dispatch-reconcile",
    schedule: "*/30 * * * * *",
    handler: async (ctx) => void (await reconcileStale(ctx)),
  },
  {
    id: "voice-message-downloads",
    schedule: "*/15 * * * * *",
    handler: async (ctx) => void (await processDueVoiceMessages(ctx)),
  },
];
