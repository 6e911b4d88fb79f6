import { Router } from "express";
import type { AppContext } from "./context.js";
import { dispatcherStatus } from "./dispatch/dispatcher.js";
import { migrationsPending } from "./lib/migrate.js";

/** A scheduled tick older than this while the dispatcher runs means it is stuck (ticks start every second). */
export const DISPATCHER_STALE_MS = 30_000;
/** The storage probe writes, reads and deletes an object: at most once per this, however often /readyz is asked. */
const STORAGE_PROBE_CACHE_MS = 10_000;
const STORAGE_PROBE_TIMEOUT_MS = 5_000;

type Check = "ok" | "not-running" | string;

/**
 * /healthz: the process is alive. /readyz: this instance can serve: not
 * shutting down, the database answers with every migration applied, the
 * voice-message storage takes a write and gives it back, and the dispatcher's
 * scheduled tick is recent (when it runs here). 503 with the failing check
 * otherwise, so a load balancer stops sending traffic.
 */
export function healthRouter(ctx: AppContext): Router {
  const r = Router();
  let probe: { at: number; result: Promise<Check> } | null = null;
  const storageCheck = (): Promise<Check> => {
    if (!probe || Date.now() - probe.at > STORAGE_PROBE_CACHE_MS) {
      let timer: NodeJS.Timeout | undefined;
      const result = Promise.race([
        ctx.storage.probe().then(() => "ok"),
        new Promise<Check>((resolve) => {
          timer = setTimeout(() => resolve("timeout"), STORAGE_PROBE_TIMEOUT_MS);
        }),
      ])
        .catch((err) => {
          ctx.logger.warn("readiness: storage probe failed", { err });
          return "failed";
        })
        .finally(() => clearTimeout(timer));
      probe = { at: Date.now(), result };
    }
    return probe.result;
  };

  r.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  r.get("/readyz", async (_req, res) => {
    const dispatcher = dispatcherStatus(ctx);
    if (dispatcher.stopped) {
      res.status(503).json({ status: "stopping" });
      return;
    }
    const checks: Record<string, Check> = {};
    try {
      const pending = await migrationsPending(ctx.prisma);
      checks.database = "ok";
      if (pending.length) {
        res.status(503).json({ status: "migrations-pending", pending });
        return;
      }
      checks.migrations = "ok";
    } catch (err) {
      ctx.logger.warn("readiness check failed", { err });
      res.status(503).json({ status: "database-unreachable" });
      return;
    }
    checks.storage = await storageCheck();
    if (!dispatcher.lastTickAt) checks.dispatcher = "not-running";
    else {
      const ageMs = ctx.now().getTime() - dispatcher.lastTickAt.getTime();
      checks.dispatcher = ageMs > DISPATCHER_STALE_MS ? `stale: last tick ${Math.round(ageMs / 1000)} s ago` : "ok";
    }
    const failing = Object.entries(checks).find(([, v]) => v !== "ok" && v !== "not-running");
    if (failing) {
      res.status(503).json({ status: `${failing[0]}-unavailable`, checks });
      return;
    }
    res.json({ status: "ready", checks });
  });
  return r;
}
