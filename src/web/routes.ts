import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { Router } from "express";
import type { AppContext } from "../context.js";
import { LANG_COOKIE, serializeCookie } from "../auth/cookies.js";
import { safeNext } from "./safe-next.js";
import { authRouter } from "../auth/routes.js";

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");

export { safeNext };

export function webRouter(ctx: AppContext): Router {
  const r = Router();
  r.use("/assets", express.static(ASSETS, { maxAge: "1h", index: false }));
  r.get("/lang/:lang", (req, res) => {
    const lang = req.params.lang === "en" ? "en" : "sv";
    res.append("Set-Cookie", serializeCookie(ctx.config, LANG_COOKIE, lang, { maxAgeSeconds: 365 * 86_400, httpOnly: false }));
    res.redirect(303, safeNext(req.query.next));
  });
  r.use(authRouter(ctx));
  return r;
}
