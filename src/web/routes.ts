import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { Router } from "express";
import type { AppContext } from "../context.js";
import { LANG_COOKIE, serializeCookie } from "../auth/cookies.js";

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");

/** Only local paths, so the language toggle cannot become an open redirect. */
export function safeNext(next: unknown, fallback = "/"): string {
  return typeof next === "string" && /^\/(?![/\\])[^\s]*$/.test(next) ? next : fallback;
}

export function webRouter(ctx: AppContext): Router {
  const r = Router();
  r.use("/assets", express.static(ASSETS, { maxAge: "1h", index: false }));
  r.get("/lang/:lang", (req, res) => {
    const lang = req.params.lang === "en" ? "en" : "sv";
    res.append("Set-Cookie", serializeCookie(ctx.config, LANG_COOKIE, lang, { maxAgeSeconds: 365 * 86_400, httpOnly: false }));
    res.redirect(303, safeNext(req.query.next));
  });
  return r;
}
