import path from "node:path";
import { PACKAGE_ROOT } from "../lib/package-root.js";
import express, { Router } from "express";
import type { AppContext } from "../context.js";
import { LANG_COOKIE, serializeCookie } from "../auth/cookies.js";
import { safeNext } from "./safe-next.js";
import { authRouter } from "../auth/routes.js";
import { realtimeRouter } from "../realtime/routes.js";
import { adminRouter } from "./admin/routes.js";
import { pagesRouter } from "./pages-routes.js";
import { webSnapshot } from "./live.js";

const ASSETS = path.join(PACKAGE_ROOT, "src/web/assets");

export { safeNext };

export function webRouter(ctx: AppContext): Router {
  const r = Router();
  r.use("/assets", express.static(ASSETS, { maxAge: "1h", index: false }));
  // Browsers ask for /favicon.ico on every page; an SVG answers it (every current browser draws one).
  r.get("/favicon.ico", (_req, res) => {
    res.type("image/svg+xml").set("Cache-Control", "public, max-age=86400").sendFile(path.join(ASSETS, "favicon.svg"));
  });
  r.get("/lang/:lang", (req, res) => {
    const lang = req.params.lang === "en" ? "en" : "sv";
    res.append(
      "Set-Cookie",
      serializeCookie(ctx.config, LANG_COOKIE, lang, { maxAgeSeconds: 365 * 86_400, httpOnly: false }),
    );
    res.redirect(303, safeNext(req.query.next));
  });
  r.use(authRouter(ctx));
  r.use(realtimeRouter(ctx, webSnapshot));
  r.use(pagesRouter(ctx));
  r.use(adminRouter(ctx));
  return r;
}
