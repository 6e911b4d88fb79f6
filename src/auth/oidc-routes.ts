import { Router } from "express";
import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";
import { safeNext } from "../web/safe-next.js";
import { isSecure, readCookies, serializeCookie } from "./cookies.js";
import { finishLogin, oidcClient, oidcEnabled, pendingSchema, startLogin, userForOidc } from "./oidc.js";
import { homeFor, signIn } from "./signin.js";

/**
 * /auth/oidc/start redirects to the identity provider; /auth/oidc/callback
 * finishes. The PKCE verifier, state and nonce ride in a ten-minute HttpOnly
 * cookie (SameSite=Lax is sent on the provider's top-level redirect back).
 */
export function oidcRoutes(ctx: AppContext): Router {
  const r = Router();
  const cookie = isSecure(ctx.config) ? "__Host-nki_oidc" : "nki_oidc";
  const enabled = oidcEnabled(ctx.config);

  r.get("/auth/oidc/start", async (req, res) => {
    if (!enabled) throw new AppError("not_found", "OpenID Connect sign-in is not configured");
    const client = await oidcClient(ctx.config).catch((err) => {
      req.log.error("OIDC discovery failed", { err, issuer: ctx.config.OIDC_ISSUER });
      throw new AppError("unavailable", "The identity provider cannot be reached");
    });
    const { url, pending } = await startLogin(client, ctx.config, safeNext(req.query.next, ""));
    res.append(
      "Set-Cookie",
      serializeCookie(ctx.config, cookie, Buffer.from(JSON.stringify(pending)).toString("base64url"), {
        maxAgeSeconds: 600,
      }),
    );
    res.redirect(303, url.href);
  });

  r.get("/auth/oidc/callback", async (req, res) => {
    if (!enabled) throw new AppError("not_found", "OpenID Connect sign-in is not configured");
    res.append("Set-Cookie", serializeCookie(ctx.config, cookie, "", { maxAgeSeconds: 0 }));
    let pending;
    try {
      pending = pendingSchema.parse(JSON.parse(Buffer.from(readCookies(req)[cookie] ?? "", "base64url").toString()));
    } catch {
      req.log.warn("OIDC callback without a pending sign-in");
      return res.redirect(303, "/login?error=oidc");
    }
    try {
      const client = await oidcClient(ctx.config);
      // The URL the provider redirected to, rebuilt on the public base (proxies rewrite Host).
      const current = new URL(req.originalUrl, ctx.config.publicBaseUrl);
      const who = await finishLogin(client, current, pending);
      const user = await userForOidc(ctx.prisma, who);
      if (!user) {
        req.log.warn("OIDC sign-in without a matching active account", { subject: who.subject });
        return res.redirect(303, "/login?error=oidc");
      }
      await signIn(ctx, req, res, user, "oidc");
      res.redirect(303, safeNext(pending.next, homeFor(user)));
    } catch (err) {
      req.log.warn("OIDC sign-in failed", { err });
      res.redirect(303, "/login?error=oidc");
    }
  });
  return r;
}
