import express, { Router, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { toDocument } from "../web/html.js";
import { showWebSurvey, submitWebSurvey, type WebSurveyPage } from "./service.js";
import { renderWebSurvey } from "./views.js";

/**
 * GET/POST /s/:token, the web survey an SMS links to. The token is the only
 * credential (sealed, expiring, one survey), so there is no session and no
 * CSRF token: a forged post would need the link itself. Answers are stored
 * by the service; a post always answers 303 back to the link (or the same
 * page with 400 naming the field).
 */
const querySchema = z.object({ lang: z.enum(["sv", "en"]).optional().catch(undefined) });
const tokenSchema = z.string().min(1).max(400);

const STATUS: Record<WebSurveyPage["kind"], number> = { invalid: 404, expired: 410, closed: 410, done: 200, step: 200 };

function send(res: Response, page: WebSurveyPage, action: string, status = STATUS[page.kind]) {
  // The link is a credential: keep it out of caches and of search engines.
  res.set("Cache-Control", "no-store").set("X-Robots-Tag", "noindex, nofollow");
  res
    .status(status)
    .type("html")
    .send(toDocument(renderWebSurvey(page, { action })));
}

export function webSurveyRouter(ctx: AppContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: "32kb", parameterLimit: 50 });

  r.get("/s/:token", async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    const { lang } = querySchema.parse(req.query);
    const action = `/s/${encodeURIComponent(token)}`;
    send(res, await showWebSurvey(ctx, token, lang), action);
  });

  r.post("/s/:token", form, async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    const { lang } = querySchema.parse(req.query);
    const action = `/s/${encodeURIComponent(token)}`;
    const result = await submitWebSurvey(ctx, token, req.body, lang);
    if (result.kind === "page") {
      send(res, result.page, action, result.page.kind === "step" ? 400 : STATUS[result.page.kind]);
      return;
    }
    res.set("Cache-Control", "no-store").redirect(303, result.lang ? `${action}?lang=${result.lang}` : action);
  });
  return r;
}
