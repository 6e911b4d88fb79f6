import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { axeViolations, chromiumPath, launchChromium, screenshot, watchCsp } from "./chromium.js";
import { makeGroup, makeUser, TEST_PASSWORD } from "./web-client.js";
import { createApiKey, authenticateApiKey } from "../../src/intake/api-keys.js";
import { createPasswordReset } from "../../src/auth/password-reset.js";

const NOW = new Date("2026-03-04T10:00:00Z");
const WIDTHS = [
  { name: "phone", viewport: { width: 375, height: 812 } },
  { name: "desktop", viewport: { width: 1366, height: 900 } },
] as const;

describe.skipIf(!chromiumPath)("IT admin pages in a real browser, at 375 and 1366 px", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let manager: Awaited<ReturnType<typeof makeUser>>;
  let resetToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW, env: { PUBLIC_BASE_URL: "http://127.0.0.1" } });
    app = await startTestApp(ctx);
    admin = await makeUser(ctx, "admin", { name: "Admin Testsson" });
    manager = await makeUser(ctx, "manager", {
      name: "Chef Med Ett Ovanligt Långt Namn Testsson-Provsson",
      email: "en.mycket.lang.e-postadress.till.chefen@forvaltningen.kommun.example",
    });
    await makeUser(ctx, "agent", { name: "Kim Testsson", agentExternalId: "kim-01" });
    await makeGroup(ctx, "val1", "Val 1 – Socialt stöd, vård och omsorg");
    await makeGroup(ctx, "val4", "Val 4 – Kultur och fritid, anställning, politik och inflyttarfrågor");
    const hidden = await makeGroup(ctx, "ejval", "Ej val");
    await db.prisma.answerGroup.update({ where: { id: hidden.id }, data: { hiddenAt: NOW } });
    const used = await createApiKey(ctx.prisma, ctx.organizationId, "Telefonisystemet, produktion");
    await authenticateApiKey(ctx.prisma, `Bearer ${used.secret}`, NOW);
    await createApiKey(ctx.prisma, ctx.organizationId, "Test");
    resetToken = (await createPasswordReset(ctx.prisma, manager.user.id, NOW)).token;
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  const cspViolations: string[][] = [];
  afterEach(() => {
    const seen = cspViolations.flat();
    cspViolations.length = 0;
    expect(seen, "CSP violations").toEqual([]);
  });

  async function open(viewport: { width: number; height: number }, signIn: boolean) {
    const context: BrowserContext = await browser.newContext({ viewport, locale: "sv-SE" });
    cspViolations.push(await watchCsp(context));
    const page = await context.newPage();
    if (signIn) {
      await page.goto(`${app.url}/login`);
      await page.fill("#email", admin.user.email);
      await page.fill("#password", TEST_PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
    }
    return { context, page };
  }

  /** Axe 0 (any impact), no horizontal scrolling, and a full-page screenshot. */
  async function check(page: Page, name: string) {
    const violations = await axeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth, `${name}: page wider than the window`).toBeLessThanOrEqual(innerWidth);
    await screenshot(page, name);
  }

  const pages = [
    { path: "/admin/users", name: "admin-users", heading: /Användare/ },
    { path: () => `/admin/users/${manager.user.id}`, name: "admin-user-edit", heading: /Ändra användare/ },
    { path: "/admin/groups", name: "admin-groups", heading: /Svarsgrupper/ },
    { path: "/admin/api-keys", name: "admin-api-keys", heading: /API-nycklar/ },
    { path: "/admin/flows", name: "admin-flows", heading: /Enkätflöden/ },
    { path: "/admin/audit", name: "admin-audit", heading: /Granskningslogg/ },
  ];

  for (const w of WIDTHS) {
    it.each(pages)(
      `$name at ${w.viewport.width} px: axe 0, no overflow, screenshot`,
      async ({ path, name, heading }) => {
        const { context, page } = await open(w.viewport, true);
        await page.goto(`${app.url}${typeof path === "function" ? path() : path}`);
        expect(await page.textContent("h1")).toMatch(heading);
        await check(page, `${name}-${w.viewport.width}`);
        await context.close();
      },
    );

    it(`the reset-password page at ${w.viewport.width} px`, async () => {
      const { context, page } = await open(w.viewport, false);
      await page.goto(`${app.url}/reset-password?token=${resetToken}`);
      expect(await page.textContent("h1")).toMatch(/Nytt lösenord/);
      await check(page, `reset-password-${w.viewport.width}`);
      await context.close();
    });
  }

  it("creates an API key with the plain form (no script): the secret is shown once, a refused form names the field", async () => {
    const { context, page } = await open(WIDTHS[0].viewport, true);
    await page.goto(`${app.url}/admin/api-keys`);
    await page.fill("#k-name", "Ny nyckel");
    await Promise.all([page.waitForLoadState("load"), page.click("form.card button[type=submit]")]);
    const secret = await page.inputValue("#k-secret");
    expect(secret).toMatch(/^nki_/);
    await check(page, "admin-api-key-created-375");
    await page.goto(`${app.url}/admin/groups`);
    await page.fill("#g-key", "val 9!");
    await page.fill("#g-name", "Val 9");
    await Promise.all([page.waitForLoadState("load"), page.click("form.card button[type=submit]")]);
    expect(await page.textContent("[role=alert]")).toContain("Nyckel i telefonisystemet: har fel format.");
    await check(page, "admin-groups-error-375");
    await context.close();
  });
});
