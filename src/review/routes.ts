import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../lib/package-root.js";
import express, { Router, type Request, type Response } from "express";
import type { AppContext } from "../context.js";
import { csrfToken, requireCsrf, requireUser } from "../auth/middleware.js";
import { AppError } from "../lib/errors.js";
import { renderPage } from "../web/layout.js";
import { langOf, msg } from "../web/i18n.js";
import { toDocument } from "../web/html.js";
import { getListeningHistory } from "./history.js";
import { renderHistoryBody } from "./history-page.js";
import { renderQueueBody } from "./queue-page.js";
import { transcriptPanels } from "../transcription/queue-panel.js";
import { queueText } from "./queue-text.js";
import { updateReview } from "./actions.js";
import { createAudioHandler } from "./audio.js";
import { parseIsoWeek } from "./rules.js";
import { getWeekCounts, getWeekQueue, nextUnreviewed, type Actor } from "./service.js";

const WEB = path.join(PACKAGE_ROOT, "src/web");
// Read once: two small files, served with the page.
const ASSETS: Record<string, { type: string; body: string }> = {
  "queue.js": { type: "text/javascript; charset=utf-8", body: readFileSync(path.join(WEB, "queue.client.js"), "utf8") },
  "queue.css": { type: "text/css; charset=utf-8", body: readFileSync(path.join(WEB, "queue.css"), "utf8") },
};

const actorOf = (req: Request): Actor => ({ ...req.user!, ip: req.ip ?? null });

const weekOfBody = (body: Record<string, unknown>) =>
  typeof body.week === "string" && parseIsoWeek(body.week) ? body.week : undefined;

/** Where a form post without JavaScript returns to: the same week, page and message. */
function backTo(body: Record<string, unknown>, id: string, error?: string): string {
  const week = weekOfBody(body);
  const page = typeof body.page === "string" && /^\d{1,5}$/.test(String(body.page)) ? String(body.page) : undefined;
  const qs = new URLSearchParams();
  if (week) qs.set("week", week);
  if (page && page !== "1") qs.set("page", page);
  if (error) {
    qs.set("error", error);
    qs.set("m", id);
  }
  const s = qs.toString();
  return `/queue${s ? `?${s}` : ""}#m-${id}`;
}

/**
 * The listening queue: the page, the audio (Range-capable, manager/admin of
 * the same organization only) and the review form's endpoint.
 */
export function reviewRouter(ctx: AppContext): Router {
  const r = Router();
  const reviewers = requireUser(ctx, ["manager", "admin"]);
  const streamAudio = createAudioHandler(ctx);

  r.get("/queue/assets/:file", (req, res, next) => {
    // Own keys only: __proto__, constructor or toString are no asset (they were a 500).
    const a = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!a) return next();
    res.type(a.type).setHeader("Cache-Control", "public, max-age=3600");
    res.send(a.body);
  });

  r.get("/queue", reviewers, async (req, res) => {
    const q = await getWeekQueue(ctx, actorOf(req), { week: str(req.query.week), page: str(req.query.page) });
    const lang = langOf(req);
    const error = str(req.query.error);
    const m = str(req.query.m);
    const terr = str(req.query.terr);
    const transcript = await transcriptPanels(ctx, req.user!.organizationId, q, {
      lang,
      csrfToken: csrfToken(req),
      error: terr && m ? { messageId: m, field: terr } : undefined,
    });
    const body = renderQueueBody({
      q,
      lang,
      csrfToken: csrfToken(req),
      error: error && m ? { messageId: m, field: error } : undefined,
      transcript,
    });
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(
      toDocument(
        renderPage({
          title: queueText(lang).title,
          user: req.user!,
          active: "queue",
          body,
          lang,
          csrfToken: csrfToken(req),
          scripts: ["/queue/assets/queue.js"],
          styles: ["/queue/assets/queue.css"],
          path: req.originalUrl,
        }),
      ),
    );
  });

  r.get("/queue/history", reviewers, async (req, res) => {
    const h = await getListeningHistory(ctx, actorOf(req), { week: str(req.query.week) });
    const lang = langOf(req);
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(
      toDocument(
        renderPage({
          title: msg(lang).queue.historyPage.title,
          user: req.user!,
          active: "queue",
          body: renderHistoryBody(h, lang),
          lang,
          csrfToken: csrfToken(req),
          path: req.originalUrl,
        }),
      ),
    );
  });

  r.get("/queue/audio/:id", reviewers, (req: Request, res: Response) =>
    streamAudio(req, res, actorOf(req), String(req.params.id)),
  );

  r.post("/queue/messages/:id", reviewers, express.json({ limit: "32kb" }), requireCsrf, async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { _csrf: _t, week: _w, page: _p, then, ...patch } = body;
    const isForm = Boolean(req.is("application/x-www-form-urlencoded"));
    const actor = actorOf(req);
    const week = weekOfBody(body);
    try {
      const result = await updateReview(ctx, actor, id, patch);
      // "Spara och nästa": the next unreviewed message, wherever in the week's queue it now is.
      const next = then === "next" ? await nextUnreviewed(ctx, actor, { week }, id) : null;
      if (isForm) {
        if (!next) return res.redirect(303, backTo(body, id));
        return res.redirect(303, backTo({ week, page: String(next.page) }, next.id));
      }
      // The page's figures as they now are, so the counts stay right without a reload.
      res.json({ ...result, counts: await getWeekCounts(ctx, actor, { week }), next });
    } catch (err) {
      if (isForm && err instanceof AppError && err.code === "validation_failed") {
        return res.redirect(303, backTo(body, id, err.details?.[0]?.field ?? "generic"));
      }
      throw err;
    }
  });

  return r;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
