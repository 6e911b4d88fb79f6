import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/auth/passwords.js";
import { createPrisma, type Prisma } from "../src/lib/db.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";

/** Signs in as a browser behind `ip` would arrive through the reverse proxy (or forging the header). */
async function signInFrom(c: WebClient, email: string, password: string, ip?: string): Promise<Response> {
  const headers: Record<string, string> = ip ? { "x-forwarded-for": ip } : {};
  const html = await (await c.get("/login", { headers })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1];
  return c.post("/login", { email, password, _csrf: csrf }, headers);
}

const refusals = (db: TestDatabase, where: Record<string, unknown> = {}) =>
  db.prisma.auditEvent.findMany({ where: { action: "auth.login_refused", ...where }, orderBy: { id: "asc" } });

describe("sign-in limits behind a reverse proxy (TRUST_PROXY=loopback)", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { env: { TRUST_PROXY: "loopback" }, now: "2026-03-02T07:55:00Z" });
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("lets an office of 40 people behind one address sign in at shift start, typos included", async () => {
    const office = "203.0.113.10";
    // One password hash for all forty: hashing is the slow part and not what is tested here.
    const passwordHash = await hashPassword(TEST_PASSWORD);
    const people = Array.from({ length: 40 }, (_, i) => ({ email: `person${i}@office.kommun.example` }));
    await db.prisma.user.createMany({
      data: people.map((p, i) => ({
        organizationId: ctx.organizationId,
        email: p.email,
        name: `Handläggare ${i}`,
        role: "manager" as const,
        passwordHash,
      })),
    });
    const statuses: number[] = [];
    for (const [i, p] of people.entries()) {
      const c = new WebClient(app.url);
      // Every fifth person mistypes twice first.
      if (i % 5 === 0) {
        expect((await signInFrom(c, p.email, "wrong password one", office)).status).toBe(401);
        expect((await signInFrom(c, p.email, "wrong password two", office)).status).toBe(401);
      }
      statuses.push((await signInFrom(c, p.email, TEST_PASSWORD, office)).status);
    }
    expect(statuses).toEqual(Array(40).fill(303));
    // The refusals were audited with the office's address, not the proxy's.
    const audited = await refusals(db, { ip: office });
    expect(audited).toHaveLength(16);
    expect(audited.every((a) => (a.detail as { reason: string }).reason === "bad_credentials")).toBe(true);
  }, 120_000);

  it("does not lock a colleague out when an attacker guesses their password from other addresses", async () => {
    const { user: colleague } = await makeUser(ctx, "agent");
    const office = "203.0.113.20";
    expect((await signInFrom(new WebClient(app.url), colleague.email, TEST_PASSWORD, office)).status).toBe(303);

    // One address: blocked after five failures, and its further tries are not even checked.
    const attacker = "198.51.100.7";
    const single: number[] = [];
    for (let i = 0; i < 8; i++)
      single.push((await signInFrom(new WebClient(app.url), colleague.email, `guess ${i}`, attacker)).status);
    expect(single).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Many addresses: the account-wide count passes its (high) limit.
    for (let a = 1; a <= 6; a++)
      for (let i = 0; i < 4; i++)
        await signInFrom(new WebClient(app.url), colleague.email, `guess ${a}.${i}`, `198.51.100.${100 + a}`);
    const fromNewAddress = await signInFrom(new WebClient(app.url), colleague.email, TEST_PASSWORD, "192.0.2.99");
    expect(fromNewAddress.status).toBe(429);
    // A delay, not a lock: at most a minute.
    expect(Number(fromNewAddress.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(fromNewAddress.headers.get("retry-after"))).toBeLessThanOrEqual(60);

    // The colleague, from the office where they signed in before, gets in at once.
    const res = await signInFrom(new WebClient(app.url), colleague.email, TEST_PASSWORD, office);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/me");

    // Every refusal is in the audit log under the colleague's account, with the attacker's real address.
    const throttled = (await refusals(db, { targetId: colleague.id })).filter(
      (a) => (a.detail as { reason: string }).reason === "throttled",
    );
    expect(throttled.filter((a) => a.ip === attacker).map((a) => (a.detail as { scope: string }).scope)).toEqual([
      "pair",
      "pair",
      "pair",
    ]);
    expect(throttled.at(-1)).toMatchObject({ ip: "192.0.2.99", detail: { scope: "account", reason: "throttled" } });
    expect(await refusals(db, { targetId: colleague.id, ip: office })).toEqual([]);
  });

  it("lets the delays pass with time and doubles them on each further failure", async () => {
    const { user } = await makeUser(ctx, "manager");
    const ip = "192.0.2.50";
    const t0 = new Date("2026-03-02T09:00:00Z");
    ctx.setNow(t0);
    for (let i = 0; i < 5; i++) await signInFrom(new WebClient(app.url), user.email, `wrong ${i}`, ip);
    const first = await signInFrom(new WebClient(app.url), user.email, TEST_PASSWORD, ip);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("30");

    ctx.setNow(new Date(t0.getTime() + 31_000));
    expect((await signInFrom(new WebClient(app.url), user.email, "wrong again", ip)).status).toBe(401);
    const second = await signInFrom(new WebClient(app.url), user.email, TEST_PASSWORD, ip);
    expect(second.headers.get("retry-after")).toBe("60");

    // After the delay the right password works and clears the count.
    ctx.setNow(new Date(t0.getTime() + 92_000));
    expect((await signInFrom(new WebClient(app.url), user.email, TEST_PASSWORD, ip)).status).toBe(303);
    expect((await signInFrom(new WebClient(app.url), user.email, "one typo", ip)).status).toBe(401);
    expect((await signInFrom(new WebClient(app.url), user.email, TEST_PASSWORD, ip)).status).toBe(303);
    ctx.setNow(new Date("2026-03-02T07:55:00Z"));
  });
});

describe("sign-in limits with no proxy (TRUST_PROXY off, the default)", () => {
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

  it("is not bypassed by rotating X-Forwarded-For, and audits the socket's address", async () => {
    expect(ctx.config.TRUST_PROXY).toBe(false);
    const { user } = await makeUser(ctx, "manager");
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await signInFrom(new WebClient(app.url), user.email, `guess ${i}`, `10.9.8.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const audited = await refusals(db, { targetId: user.id });
    expect(audited).toHaveLength(8);
    expect(new Set(audited.map((a) => a.ip))).toEqual(new Set(["127.0.0.1"]));
  });
});

describe("sign-in limits on two instances sharing one database", () => {
  let db: TestDatabase;
  let prismaB: Prisma;
  let a: Awaited<ReturnType<typeof startTestApp>>;
  let b: Awaited<ReturnType<typeof startTestApp>>;
  let ctxA: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctxA = await createTestContext(db);
    // The second instance has its own connection pool and its own memory.
    prismaB = createPrisma(db.url, 1);
    const ctxB = await createTestContext({ ...db, prisma: prismaB });
    [a, b] = await Promise.all([startTestApp(ctxA), startTestApp(ctxB)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await prismaB?.$disconnect();
    await db?.close();
  });

  it("counts failures on either instance toward the same limit", async () => {
    const { user } = await makeUser(ctxA, "manager");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const url = i % 2 === 0 ? a.url : b.url;
      statuses.push((await signInFrom(new WebClient(url), user.email, `guess ${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await signInFrom(new WebClient(b.url), user.email, TEST_PASSWORD)).status).toBe(429);
  });
});
