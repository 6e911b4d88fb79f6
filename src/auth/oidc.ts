import * as oidc from "openid-client";
import { z } from "zod";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db.js";
import type { SessionUser } from "./middleware.js";

/**
 * OpenID Connect sign-in (Entra ID and others): authorization code flow with
 * PKCE, state and nonce. Only when OIDC_ISSUER and OIDC_CLIENT_ID are set.
 * Users are never created here: an administrator creates the account, and the
 * first OIDC sign-in with a matching e-mail binds the account to the subject.
 */
export const oidcEnabled = (config: Config) => Boolean(config.OIDC_ISSUER && config.OIDC_CLIENT_ID);
export const oidcRedirectUri = (config: Config) => `${config.publicBaseUrl}/auth/oidc/callback`;

/** What the browser carries between the redirect and the callback (in a short-lived HttpOnly cookie). */
export const pendingSchema = z.object({ verifier: z.string(), state: z.string(), nonce: z.string(), next: z.string() });
export type PendingLogin = z.infer<typeof pendingSchema>;

let discovered: { key: string; config: Promise<oidc.Configuration> } | null = null;

/** Discovers the issuer once per process (network), retried on the next sign-in if it failed. */
export function oidcClient(config: Config): Promise<oidc.Configuration> {
  const key = `${config.OIDC_ISSUER}|${config.OIDC_CLIENT_ID}`;
  if (discovered?.key !== key) {
    const p = oidc.discovery(new URL(config.OIDC_ISSUER!), config.OIDC_CLIENT_ID!, config.OIDC_CLIENT_SECRET);
    p.catch(() => {
      if (discovered?.config === p) discovered = null;
    });
    discovered = { key, config: p };
  }
  return discovered.config;
}

/** The authorization URL to send the browser to, and what to remember for the callback. */
export async function startLogin(
  client: oidc.Configuration,
  config: Config,
  next: string,
): Promise<{ url: URL; pending: PendingLogin }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const pending: PendingLogin = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), next };
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: oidcRedirectUri(config),
    scope: "openid email profile",
    response_type: "code",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url, pending };
}

/** Exchanges the code and returns the verified ID token claims. */
export async function finishLogin(client: oidc.Configuration, currentUrl: URL, pending: PendingLogin) {
  const tokens = await oidc.authorizationCodeGrant(client, currentUrl, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error("no ID token");
  // Entra ID puts the address in `email` when configured, otherwise in preferred_username (the UPN).
  const email = [claims.email, claims.preferred_username].find(
    (v): v is string => typeof v === "string" && v.includes("@"),
  );
  return { subject: claims.sub, email: email?.toLowerCase() ?? null };
}

/** Finds the account by subject, then by e-mail (binding the subject on first use). */
export async function userForOidc(db: Db, who: { subject: string; email: string | null }): Promise<SessionUser | null> {
  const select = {
    id: true,
    organizationId: true,
    email: true,
    name: true,
    role: true,
    agentId: true,
    oidcSubject: true,
    disabledAt: true,
  } as const;
  let row = await db.user.findUnique({ where: { oidcSubject: who.subject }, select });
  if (!row && who.email) {
    row = await db.user.findUnique({ where: { email: who.email }, select });
    // An account already bound to another subject is not taken over by e-mail.
    if (row && row.oidcSubject && row.oidcSubject !== who.subject) return null;
    if (row && !row.oidcSubject) await db.user.update({ where: { id: row.id }, data: { oidcSubject: who.subject } });
  }
  if (!row || row.disabledAt) return null;
  const { oidcSubject: _s, disabledAt: _d, ...user } = row;
  return user;
}
