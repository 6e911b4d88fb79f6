import { Router } from "express";
import type { AppContext } from "../context.js";
import { requireUser } from "../auth/middleware.js";
import { langOf } from "../web/i18n.js";
import { createResultsHub, type SnapshotFn, type StreamParams } from "./hub.js";

/** Only short word-like values pass through to the snapshot. */
function streamParams(query: Record<string, unknown>, lang: string): StreamParams {
  const out: StreamParams = { lang };
  for (const [k, v] of Object.entries(query))
    if (/^[a-z]{1,20}$/.test(k) && typeof v === "string" && /^[\w-]{1,40}$/.test(v)) out[k] = v;
  out.lang = lang;
  return out;
}

const HEARTBEAT_MS = 25_000;

/**
 * GET /api/v1/results/stream: Server-Sent Events for the signed-in user.
 * Sends `results` once on connect and again after every burst of answers in
 * the user's organization, each cut to what the user may see (an agent: their
 * own results, their svarsgrupper and the organization).
 */
export function realtimeRouter(ctx: AppContext, snapshot: SnapshotFn): Router {
  const r = Router();
  const hub = createResultsHub(ctx, snapshot);
  r.get("/api/v1/results/stream", requireUser(ctx), async (req, res) => {
    const user = req.user!;
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      // nginx and similar proxies would otherwise buffer the stream.
      "X-Accel-Buffering": "no",
    });
    let id = 0;
    const write = (event: string, data: unknown) => {
      id += 1;
      res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write("retry: 3000\n\n");
    const params = streamParams(req.query, langOf(req));
    const unsubscribe = hub.subscribe(user, (msg) => write("results", msg), params);
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    req.on("close", stop);
    let initial;
    try {
      initial = await snapshot(ctx, user, new Map(), params);
    } catch (err) {
      // Headers are sent, so no error page: end the stream; EventSource reconnects after `retry`.
      (req.log ?? ctx.logger).error("results stream: first snapshot failed; stream closed", { err });
      stop();
      res.end();
      return;
    }
    if (!res.writableEnded) write("results", { answeredAt: null, answers: 0, mine: false, results: initial });
  });
  return r;
}
