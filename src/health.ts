import { Router } from "express";
import type { AppContext } from "./context.js";
import { migrationsPending } from "./lib/migrate.js";

/** /healthz: the process is alive. /readyz: the database answers and every migration is applied. */
export function healthRouter(ctx: AppContext): Router {
  const r = Router();
  r.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  r.get("/readyz", async (_req, res) => {
    try {
      const pending = await migrationsPending((sql) => ctx.prisma.$queryRawUnsafe(sql));
      if (pending.length) {
        res.status(503).json({ status: "migrations-pending", pending });
        return;
      }
      res.json({ status: "ready" });
    } catch (err) {
      ctx.logger.warn("readiness check failed", { err });
      res.status(503).json({ status: "database-unreachable" });
    }
  });
  return r;
}
