import express, { Router, type Request } from "express";
import type { AppContext } from "../context.js";
import { requireCsrf, requireUser } from "../auth/middleware.js";
import type { Actor } from "./access.js";
import { getRules, putRules } from "./classify-service.js";
import { queueLocations } from "../review/locate.js";
import { searchTranscripts } from "./search.js";
import { correctTranscript, getTranscript, requestRetranscription } from "./service.js";

const actorOf = (req: Request): Actor => ({ ...req.user!, ip: req.ip ?? null });

/**
 * The transcripts' JSON API (mounted at /api/v1), for signed-in managers and
 * admins of the message's organization. Writes need the session's CSRF token
 * (X-CSRF-Token), as every other signed-in write does.
 */
export function transcriptionRouter(ctx: AppContext): Router {
  const r = Router();
  const managers = requireUser(ctx, ["manager", "admin"]);
  const json = express.json({ limit: "256kb" });

  r.get("/transcripts/search", managers, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    const actor = actorOf(req);
    const result = await searchTranscripts(ctx, actor, req.query);
    // Each hit's place in the listening queue, the same as the search page's link: week, page, href and
    // whether it is in the queue at all.
    const spots = await queueLocations(
      ctx,
      actor,
      result.hits.map((h) => ({ id: h.voiceMessageId, recordedAt: h.recordedAt })),
    );
    res.json({ ...result, hits: result.hits.map((h) => ({ ...h, queue: spots.get(h.voiceMessageId) ?? null })) });
  });
  r.get("/transcripts/rules", managers, async (req, res) => void res.json(await getRules(ctx, actorOf(req))));
  r.put("/transcripts/rules", managers, json, requireCsrf, async (req, res) => {
    const body = (req.body ?? {}) as { rules?: unknown };
    res.json(await putRules(ctx, actorOf(req), body.rules ?? null));
  });
  r.get("/transcripts/:voiceMessageId", managers, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(await getTranscript(ctx, actorOf(req), String(req.params.voiceMessageId)));
  });
  r.post("/transcripts/:voiceMessageId/retranscribe", managers, requireCsrf, async (req, res) => {
    await requestRetranscription(ctx, actorOf(req), String(req.params.voiceMessageId));
    res.status(202).json({ status: "pending" });
  });
  r.put(
    "/transcripts/:voiceMessageId/correction",
    managers,
    json,
    requireCsrf,
    async (req, res) =>
      void res.json(await correctTranscript(ctx, actorOf(req), String(req.params.voiceMessageId), req.body)),
  );
  return r;
}
