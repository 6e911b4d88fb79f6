import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSessionId } from "../src/auth/sessions.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";

const COOKIE = "__Host-nki_session"; // PUBLIC_BASE_URL is https in the test context

describe("signing in with a local account", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { env: { SESSION_IDLE_MINUTES: "30", SESSION_MAX_HOURS: "8" } });
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("with the right password starts a server-side session behind an HttpOnly, SameSite=Lax, Secure cookie", async () => {
    const { user } = await makeUser(ctx, "manager");
    const c = new WebClient(app.url);
    const res = await c.signIn(user.email, TEST_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/overview");
    const line = res.headers.getSetCookie().find((l) => l.startsWith(`${COOKIE}=`))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Secure/);
    const id = c.cookies.get(COOKIE)!;
    // Only a hash of the cookie value is stored.
    expect(await db.prisma.session.findUnique({ where: { id } })).toBeNull();
    const row = await db.prisma.session.findUnique({ where: { id: hashSessionId(id) } });
    expect(row?.userId).toBe(user.id);
    const audit = await db.prisma.auditEvent.findFirst({ where: { actorUserId: user.id, action: "auth.login" } });
    expect(audit?.ip).toBeTruthy();
    // Signed in, the sign-in page sends the user home.
    expect((await c.get("/login")).headers.get("location")).toBe("/overview");
  });

  it("sends an agent to their own page and honours a local next= path but never another site", async () => {
    const { user } = await makeUser(ctx, "agent");
    const c = new WebClient(app.url);
    expect((await c.signIn(user.email, TEST_PASSWORD)).headers.get("location")).toBe("/me");
    const c2 = new WebClient(app.url);
    const csrf = await c2.csrfFrom("/login");
    const evil = await c2.post("/login", {
      email: user.email,
      password: TEST_PASSWORD,
      _csrf: csrf,
      next: "//evil.example/x",
    });
    expect(evil.headers.get("location")).toBe("/me");
  });

  it("refuses a wrong password with the same message as an unknown e-mail, and starts no session", async () => {
    const { user } = await makeUser(ctx, "manager");
    const c = new WebClient(app.url);
    const wrong = await c.signIn(user.email, "not the password at all");
    const unknown = await new WebClient(app.url).signIn("nobody@kommun.example", "not the password at all");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toContain("Fel e-postadress eller lösenord");
    expect(await unknown.text()).toContain("Fel e-postadress eller lösenord");
    expect(c.cookies.has(COOKIE)).toBe(false);
    expect(await db.prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses a disabled account", async () => {
    const { user } = await makeUser(ctx, "manager");
    await db.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect((await new WebClient(app.url).signIn(user.email, TEST_PASSWORD)).status).toBe(401);
  });

  it("refuses a sign-in form without the CSRF token", async () => {
    const { user } = await makeUser(ctx, "manager");
    const c = new WebClient(app.url);
    await c.get("/login");
    const res = await c.post("/login", {
      email: user.email,
      password: TEST_PASSWORD,
      _csrf: "forged-token-forged-token-forged-token-xx",
    });
    expect(res.status).toBe(403);
    expect(c.cookies.has(COOKIE)).toBe(false);
  });

  it("issues a new session id on sign-in and destroys the one the browser had", async () => {
    const { user } = await makeUser(ctx, "manager");
    const c = new WebClient(app.url);
    await c.signIn(user.email, TEST_PASSWORD);
    const first = c.cookies.get(COOKIE)!;
    const csrf = await c.csrfFrom("/logout");
    // Signing in again while signed in (e.g. another account on a shared PC).
    const res = await c.post("/login", { email: user.email, password: TEST_PASSWORD, _csrf: csrf });
    expect(res.status).toBe(303);
    const second = c.cookies.get(COOKIE)!;
    expect(second).not.toBe(first);
    expect(await db.prisma.session.findUnique({ where: { id: hashSessionId(first) } })).toBeNull();
  });

  it("signs out: the session row is gone and the old cookie no longer works", async () => {
    const { user } = await makeUser(ctx, "manager");
    const c = new WebClient(app.url);
    await c.signIn(user.email, TEST_PASSWORD);
    const id = c.cookies.get(COOKIE)!;
    const csrf = await c.csrfFrom("/logout");
    const out = await c.post("/logout", { _csrf: csrf });
    expect(out.headers.get("location")).toBe("/login?out=1");
    expect(await db.prisma.session.findUnique({ where: { id: hashSessionId(id) } })).toBeNull();
    const replay = await fetch(`${app.url}/login`, { redirect: "manual", headers: { cookie: `${COOKIE}=${id}` } });
    expect(replay.status).toBe(200);
    expect(await db.prisma.auditEvent.count({ where: { actorUserId: user.id, action: "auth.logout" } })).toBe(1);
  });

  it("ends a session after the idle time, and after the absolute limit even when active", async () => {
    const { user } = await makeUser(ctx, "manager");
    const t0 = new Date("2026-03-02T08:00:00Z");
    ctx.setNow(t0);
    const c = new WebClient(app.url);
    await c.signIn(user.email, TEST_PASSWORD);
    ctx.setNow(new Date(t0.getTime() + 29 * 60_000));
    expect((await c.get("/login")).status).toBe(303); // still signed in
    ctx.setNow(new Date(t0.getTime() + 58 * 60_000)); // 29 min after the last activity
    expect((await c.get("/login")).status).toBe(303);
    ctx.setNow(new Date(t0.getTime() + 58 * 60_000 + 31 * 60_000));
    expect((await c.get("/login")).status).toBe(200); // idle for 31 minutes

    const c2 = new WebClient(app.url);
    ctx.setNow(t0);
    await c2.signIn(user.email, TEST_PASSWORD);
    for (let m = 20; m < 8 * 60; m += 20) {
      ctx.setNow(new Date(t0.getTime() + m * 60_000));
      expect((await c2.get("/login")).status).toBe(303);
    }
    ctx.setNow(new Date(t0.getTime() + 8 * 3_600_000 + 1000));
    expect((await c2.get("/login")).status).toBe(200);
    ctx.setNow(new Date());
  });

  it("limits failed attempts per account and address (more in auth-limits.test.ts)", async () => {
    const { user } = await makeUser(ctx, "manager");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const c = new WebClient(app.url);
      statuses.push((await c.signIn(user.email, `wrong password ${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The right password does not get through from this address while the delay lasts.
    expect((await new WebClient(app.url).signIn(user.email, TEST_PASSWORD)).status).toBe(429);
  });
});
