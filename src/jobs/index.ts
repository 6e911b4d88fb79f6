import cron from "node-cron";
import type { AppContext } from "../context.js";

/** A job is data: an id, a cron schedule (with seconds) and an async handler. */
export interface Job {
  id: string;
  schedule: string;
  handler: (ctx: AppContext) => Promise<void>;
}

/**
 * The one place that wires node-cron. Every tick awaits its work, logs and
 * swallows errors (the next tick tries again) and never overlaps itself.
 */
export function startJobs(ctx: AppContext, jobs: Job[]): { stop(): Promise<void> } {
  const running = new Map<string, Promise<void>>();
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      () => {
        if (running.has(job.id)) return;
        const p = job
          .handler(ctx)
          .catch((err) => void ctx.logger.error("job failed", { job: job.id, err }))
          .finally(() => running.delete(job.id));
        running.set(job.id, p);
      },
      { name: job.id },
    ),
  );
  return {
    async stop() {
      for (const t of tasks) await t.stop();
      await Promise.allSettled([...running.values()]);
    },
  };
}
