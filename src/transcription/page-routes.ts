import { Router, type Request } from "express";
import type { AppContext } from "../context.js";
import { csrfToken, requireCsrf, requireUser } from "../auth/middleware.js";
import { AppError } from "../lib/errors.js";
import { getOrganization, listGroupsAndAgents } from "../organizations/service.js";
import { queueLocations } from "../review/locate.js";
import { distinctForvaltningar } from "../review/repository.js";
import { parseIsoWeek } from "../review/rules.js";
import { renderPage } from "../web/layout.js";
import { langOf } from "../web/i18n.js";
import { toDocument } from "../web/html.js";
import type { Actor } from "./access.js";
import { renderSearchBody, searchTitle } from "./search-page.js";
import { searchTranscripts, type SearchResult } from "./search.js";
import { correctTranscript, requestRetranscription } from "./service.js";

const actorOf = (req: Request): Actor => ({ ...req.user!, ip: req.ip ?? null });
const SEARCH_FIELDS = ["q", "week", "groupId", "agentId", "category", "forvaltning", "page"] as const;

/** Back to the listening queue at the message, with the field that failed (`terr`) when one did. */
function backTo(body: Record<string, unknown>, id: string, error?: string): string {
  const qs = new URLSearchParams();
  if (typeof body.week === "string" && parseIsoWeek(body.week)) qs.set("week", body.week);
  if (typeof body.page === "string" && /^\d{1,5}$/.test(body.page) && body.page !== "1") qs.set("page", body.page);
  if (error) {
    qs.set("terr", error);
    qs.set("m", id);
  }
  const s = qs.toString();
  return `/queue${s ? `?${s}` : ""}#m-${id}`;
}

/**
 * The transcripts' pages: the correction and re-transcription forms under
 * each player in the listening queue (plain form posts, no JavaScript
 * needed) and the search page. The JSON API is in routes.ts.
 */
export function transcriptionPageRouter(ctx: AppContext): Router {
  const r = Router();
  const managers = requireUser(ctx, ["manager", "admin"]);

  r.post("/queue/transcripts/:id/correction", managers, requireCsrf, async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = body.remove === "1" ? null : typeof body.text === "string" ? body.text : "";
    try {
      await correctTranscript(ctx, actorOf(req), id, { text });
    } catch (err) {
      if (err instanceof AppError && err.code === "validation_failed")
        return res.redirect(303, backTo(body, id, "text"));
      if (err instanceof AppError && err.code === "conflict") return res.redirect(303, backTo(body, id, "generic"));
      throw err;
    }
    res.redirect(303, backTo(body, id));
  });

  r.post("/queue/transcripts/:id/retranscribe", managers, requireCsrf, async (req, res) => {
    const id = String(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      await requestRetranscription(ctx, actorOf(req), id);
    } catch (err) {
      if (err instanceof AppError && (err.code === "unavailable" || err.code === "conflict"))
        return res.redirect(303, backTo(body, id, "retranscribe"));
      throw err;
    }
    res.redirect(303, backTo(body, id));
  });

  r.get("/search", managers, async (req, res) => {
    const actor = actorOf(req);
    const lang = langOf(req);
    const query: Record<string, string> = {};
    for (const k of SEARCH_FIELDS) {
      const v = req.query[k];
      if (typeof v === "string" && v.trim() !== "") query[k] = v.trim();
    }
    let result: SearchResult | null = null;
    let error: { field: string; message: string } | null = null;
    if (query.q !== undefined) {
      try {
        result = await searchTranscripts(ctx, actor, query);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
        const d = err.details?.[0];
        error = { field: String(d?.field ?? "q").replace(/^query\./, ""), message: d?.message ?? err.message };
      }
    }
    const org = await getOrganization(ctx.prisma, actor.organizationId);
    const { groups, agents } = await listGroupsAndAgents(ctx.prisma, actor.organizationId);
    const forvaltningar = await distinctForvaltningar(
      ctx.prisma,
      actor.organizationId,
      new Date(ctx.now().getTime() - 365 * 86_400_000),
    );
    // The queue page that shows each hit, so its link lands on the message and not on page 1.
    const spots = await queueLocations(
      ctx,
      actor,
      (result?.hits ?? []).map((h) => ({ id: h.voiceMessageId, recordedAt: h.recordedAt })),
    );
    const body = renderSearchBody({
      lang,
      spots,
      timeZone: org.timeZone,
      query,
      result,
      error,
      groups,
      agents,
      forvaltningar,
    });
    res.setHeader("Cache-Control", "no-store");
    res
      .status(error ? 400 : 200)
      .type("html")
      .send(
        toDocument(
          renderPage({
            title: searchTitle(lang),
            user: req.user!,
            active: "search",
            body,
            lang,
            csrfToken: csrfToken(req),
            styles: ["/queue/assets/queue.css"],
            path: req.originalUrl,
          }),
        ),
      );
  });
  return r;
}
