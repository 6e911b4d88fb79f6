import express, { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { requireCsrf, requireUser } from "../auth/middleware.js";
import { AppError, parseOrThrow } from "../lib/errors.js";
import { importPublishedFigures } from "./published.js";
import { listPeers, removePeer } from "./repository.js";
import { addPeer, buildDocument, checkPublishToken, importPeerFile, pullAllPeers } from "./service.js";

/**
 * The benchmark exchange over HTTP (mounted at /api/v1):
 *   GET  /exchange/document           this installation's signed figures, for peers (bearer EXCHANGE_TOKEN)
 *   GET|POST /exchange/peers          admin: list, add or update a peer
 *   DELETE /exchange/peers/:name      admin: remove a peer and its figures
 *   POST /exchange/peers/:name/import admin: a peer's signed file handed over out of band
 *   POST /exchange/pull               admin: pull every peer now (the daily job's work)
 *   POST /exchange/published          admin: import figures published elsewhere (JSON rows or CSV text)
 */
const peerBody = z.object({
  name: z.string().min(1).max(80),
  url: z.string().url().nullish(),
  token: z.string().min(1).max(200).nullish(),
  publicKey: z.string().min(1).max(200),
});
const documentQuery = z.object({
  organization: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/)
    .optional(),
});

/** Peers never leave with their bearer key: the list says only whether one is set. */
const publicPeer = (p: Awaited<ReturnType<typeof listPeers>>[number]) => ({
  name: p.name,
  url: p.url,
  hasToken: p.token !== null,
  publicKey: p.publicKey,
  lastPulledAt: p.lastPulledAt,
  lastError: p.lastError,
});

export function exchangeRouter(ctx: AppContext): Router {
  const r = Router();
  const admin = requireUser(ctx, ["admin"]);
  const json = express.json({ limit: "10mb" });
  const text = express.text({ type: ["text/csv", "text/plain"], limit: "10mb" });

  r.get("/exchange/document", async (req, res) => {
    checkPublishToken(ctx.config.EXCHANGE_TOKEN, req.get("authorization"));
    const q = parseOrThrow(documentQuery, req.query, "query");
    res.json(await buildDocument(ctx, q.organization ?? ctx.config.DEFAULT_ORG_SLUG));
  });
  r.get(
    "/exchange/peers",
    admin,
    async (_req, res) => void res.json({ peers: (await listPeers(ctx.prisma)).map(publicPeer) }),
  );
  r.post("/exchange/peers", admin, json, requireCsrf, async (req, res) => {
    const body = parseOrThrow(peerBody, req.body, "body");
    res.status(201).json(publicPeer(await addPeer(ctx.prisma, body)));
  });
  r.delete("/exchange/peers/:name", admin, requireCsrf, async (req, res) => {
    if (!(await removePeer(ctx.prisma, String(req.params.name))))
      throw new AppError("not_found", "No such exchange peer");
    res.status(204).end();
  });
  r.post("/exchange/peers/:name/import", admin, json, requireCsrf, async (req, res) => {
    const figures = await importPeerFile(ctx.prisma, String(req.params.name), req.body, ctx.now());
    res.json({ figures });
  });
  r.post("/exchange/pull", admin, requireCsrf, async (_req, res) => {
    res.json({ peers: await pullAllPeers(ctx, ctx.config.EXCHANGE_PULL_TIMEOUT_SECONDS * 1000) });
  });
  r.post("/exchange/published", admin, json, text, requireCsrf, async (req, res) => {
    const input = typeof req.body === "string" ? { csv: req.body } : { rows: req.body as unknown };
    res.json(await importPublishedFigures(ctx.prisma, input, ctx.now()));
  });
  return r;
}
