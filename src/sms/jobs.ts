import type { Job } from "../jobs/index.js";
import { smsTick } from "./sender.js";

/** The SMS fallback's sender; src/service.ts starts it with the other jobs. */
export const smsJobs: Job[] = [
  {
    id: "sms-send",
    schedule: "*/2 * * * * *",
    handler: async (ctx) => {
      const r = await smsTick(ctx);
      if (r.claimed > 0) ctx.logger.debug("SMS tick", { ...r });
    },
  },
];
