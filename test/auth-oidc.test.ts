import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { loadConfig } from "../src/lib/config.js";
import { oidcEnabled, oidcRedirectUri, startLogin, userForOidc } from "../src/auth/oidc.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeUser, WebClient } from "./browser/web-client.js";

const ISSUER = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0";

describe("OpenID Connect sign-in (no network: configuration, redirect, account matching)", () => {
  it("is off unless issuer and client id are both set, and names the missing one", () => {
    expect(oidcEnabled(loadConfig({}))).toBe(false);
    expect(oidcEnabled(loadConfig({ OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: "client-1" }))).toBe(true);
    expect(() => loadConfig({ OIDC_ISSUER: ISSUER })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OIDC_CLIENT_SECRET: "s3cret" })).toThrow(/OIDC_ISSUER/);
    expect(() => loadConfig({ OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "c" })).toThrow(/OIDC_ISSUER/);
  });

  it("sends the browser to the provider with PKCE (S256), state, nonce and the public callback URL", async () => {
    const config = loadConfig({
      OIDC_ISSUER: ISSUER,
      OIDC_CLIENT_ID: "client-1",
      PUBLIC_BASE_URL: "https://nki.kommun.example",
    });
    const client = new oidc.Configuration(
      { issuer: ISSUER, authorization_endpoint: `${ISSUER.replace("/v2.0", "")}/oauth2/v2.0/authorize` },
      "client-1",
    );
    const { url, pending } = await startLogin(client, config, "/overview");
    expect(url.origin + url.pathname).toBe(
      "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/authorize",
    );
    const q = url.searchParams;
    expect(q.get("client_id")).toBe("client-1");
    expect(q.get("response_type")).toBe("code");
    expect(q.get("redirect_uri")).toBe("https://nki.kommun.example/auth/oidc/callback");
    expect(oidcRedirectUri(config)).toBe(q.get("redirect_uri"));
    expect(q.get("scope")).toBe("openid email profile");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toBe(await oidc.calculatePKCECodeChallenge(pending.verifier));
    expect(q.get("state")).toBe(pending.state);
    expect(q.get("nonce")).toBe(pending.nonce);
    expect(pending.next).toBe("/overview");
  });

  describe("with a database", () => {
    let db: TestDatabase;
    let ctx: TestContext;
    let app: Awaited<ReturnType<typeof startTestApp>>;
    beforeAll(async () => {
      db = await createTestDatabase();
      ctx = await createTestContext(db);
      app = await startTestApp(ctx);
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });

    it("has no OIDC routes or button when it is not configured", async () => {
      const c = new WebClient(app.url);
      expect((await c.get("/auth/oidc/start", { accept: "application/json" })).status).toBe(404);
      expect(await (await c.get("/login")).text()).not.toContain("/auth/oidc/start");
    });

    it("binds an existing account to its subject on first sign-in by e-mail, then finds it by subject only", async () => {
      const { user } = await makeUser(ctx, "manager", { email: "chef@kommun.example" });
      const first = await userForOidc(db.prisma, { subject: "entra-sub-1", email: "chef@kommun.example" });
      expect(first?.id).toBe(user.id);
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).oidcSubject).toBe("entra-sub-1");
      expect((await userForOidc(db.prisma, { subject: "entra-sub-1", email: null }))?.id).toBe(user.id);
      // Another subject claiming the same address does not take the account over.
      expect(await userForOidc(db.prisma, { subject: "entra-sub-2", email: "chef@kommun.example" })).toBeNull();
      // Nobody is created for an unknown person.
      expect(await userForOidc(db.prisma, { subject: "entra-sub-3", email: "ny@kommun.example" })).toBeNull();
    });
  });
});
