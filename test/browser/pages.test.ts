import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { chromiumPath, launchChromium, screenshot, seriousViolations, watchCsp } from "./chromium.js";
import { makeGroup, makeUser, TEST_PASSWORD } from "./web-client.js";
import { seedSurveys, storeAnswers } from "./factories.js";

const NOW = new Date("2026-03-04T10:00:00Z");
const WEEK = 7 * 86_400_000;

describe.skipIf(!chromiumPath)("the web app in a real browser", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let users: Record<"agent" | "manager" | "admin", Awaited<ReturnType<typeof makeUser>>>;
  let groupId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Plain http on loopback: no Secure cookies, exactly as a browser on localhost sees it.
    ctx = await createTestContext(db, { now: NOW, env: { PUBLIC_BASE_URL: "http://127.0.0.1" } });
    app = await startTestApp(ctx);
    const g1 = await makeGroup(ctx, "val1", "Val 1 – Socialt stöd, vård och omsorg");
    const g2 = await makeGroup(ctx, "val3", "Val 3 – Fastigheter, gator, byggande och miljö");
    groupId = g1.id;
    users = {
      agent: await makeUser(ctx, "agent", { name: "Kim Testsson", agentExternalId: "kim-01" }),
      manager: await makeUser(ctx, "manager", { name: "Chef Testsson" }),
      admin: await makeUser(ctx, "admin", { name: "Admin Testsson" }),
    };
    const other = await makeUser(ctx, "agent", { name: "Robin Provsson", agentExternalId: "robin-02" });
    await db.prisma.target.createMany({
      data: [
        {
          organizationId: ctx.organizationId,
          questionKey: "bemotande",
          metric: "mean",
          threshold: 4.3,
          validFrom: new Date("2026-01-01"),
        },
        {
          organizationId: ctx.organizationId,
          questionKey: "overall",
          metric: "satisfiedShare",
          threshold: 0.75,
          validFrom: new Date("2026-01-01"),
        },
      ],
    });
    for (let w = 7; w >= 0; w--) {
      const from = new Date(NOW.getTime() - w * WEEK - 2 * 86_400_000);
      await seedSurveys(ctx, {
        organizationId: ctx.organizationId,
        groupId: g1.id,
        agentId: users.agent.agent!.id,
        from,
        n: 3,
        level: 4.1 + w * 0.03,
      });
      await seedSurveys(ctx, {
        organizationId: ctx.organizationId,
        groupId: g2.id,
        agentId: other.agent!.id,
        from,
        n: 3,
        level: 3.6,
      });
    }
    browser = await launchChromium();
    // Seeding eight weeks row by row takes a while on a busy machine.
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  // Every page runs under the service's CSP; any violation (a blocked inline script or style) fails the test.
  const cspViolations: string[][] = [];
  afterEach(() => {
    const seen = cspViolations.flat();
    cspViolations.length = 0;
    expect(seen, "CSP violations").toEqual([]);
  });
  async function newContext(options: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext> {
    const context = await browser.newContext(options);
    cspViolations.push(await watchCsp(context));
    return context;
  }

  async function signedIn(
    role: keyof typeof users,
    viewport = { width: 1280, height: 900 },
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext({ viewport, locale: "sv-SE" });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.fill("#email", users[role].user.email);
    await page.fill("#password", TEST_PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
    return { context, page };
  }

  it("an agent signs in and sees a new answer appear without reloading", async () => {
    const { context, page } = await signedIn("agent");
    expect(new URL(page.url()).pathname).toBe("/me");
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent?.includes("automatiskt"));
    const before = Number(await page.textContent('[data-testid="n-today"]'));
    // Anything reset by a reload would lose this marker.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await storeAnswers(ctx, {
      organizationId: ctx.organizationId,
      groupId,
      agentId: users.agent.agent!.id,
      at: new Date(NOW.getTime() - 60_000),
      scores: { bemotande: 5, kunskap: 4, helhet: 5 },
    });
    await page.waitForSelector('#live[data-updates="1"]', { timeout: 5000 });
    expect(Number(await page.textContent('[data-testid="n-today"]'))).toBe(before + 3);
    await page.waitForSelector('#live[data-announcements="1"]');
    expect(await page.textContent("#live-announce")).toContain("Nytt svar om ditt samtal");
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await screenshot(page, "agent-me-after-live-update");
    await context.close();
  });

  const pages: { role: keyof typeof users | null; path: string; name: string; heading: RegExp; width?: number }[] = [
    { role: null, path: "/login", name: "login", heading: /Logga in/ },
    { role: "agent", path: "/me?p=week", name: "agent-me-week", heading: /Mina resultat/ },
    { role: "agent", path: "/me?p=period", name: "agent-me-period", heading: /Mina resultat/ },
    { role: "manager", path: "/overview", name: "manager-overview", heading: /Översikt/ },
    { role: "manager", path: "/overview?p=tertial", name: "manager-overview-tertial", heading: /Översikt/ },
    { role: "manager", path: "/reports/weekly", name: "manager-report-weekly", heading: /Veckorapport/ },
    { role: "manager", path: "/reports/period", name: "manager-report-period", heading: /Tertialrapport/ },
    { role: "manager", path: "/queue/history", name: "manager-listening-history", heading: /Lyssningshistorik/ },
    // Any period in the URL: a past week (no live updates), a past tertial across New Year.
    { role: "agent", path: "/me?period=2026-W08", name: "agent-me-past-week", heading: /Mina resultat/ },
    { role: "manager", path: "/overview?period=2026-W08", name: "manager-overview-past-week", heading: /Översikt/ },
    { role: "manager", path: "/overview?period=2025-P3", name: "manager-overview-past-tertial", heading: /Översikt/ },
    { role: "admin", path: "/admin", name: "admin-settings", heading: /Inställningar/ },
    { role: "admin", path: "/admin/targets", name: "admin-targets", heading: /Mål/ },
    { role: "admin", path: "/admin/users", name: "admin-users", heading: /Användare/ },
    { role: "admin", path: "/admin/audit", name: "admin-audit", heading: /Granskningslogg/ },
  ];

  it.each(pages)(
    "$name has no serious accessibility violations, and a screenshot",
    async ({ role, path, name, heading }) => {
      // 1366 px: the commonest office laptop screen, where the period picker and charts must fit.
      const { context, page } = role
        ? await signedIn(role, { width: 1366, height: 900 })
        : await (async () => {
            const c = await newContext({ viewport: { width: 1280, height: 900 } });
            return { context: c, page: await c.newPage() };
          })();
      await page.goto(`${app.url}${path}`);
      expect(await page.textContent("h1")).toMatch(heading);
      const violations = await seriousViolations(page);
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
      await screenshot(page, name);
      await context.close();
    },
  );

  it("works on a phone and in English", async () => {
    const { context, page } = await signedIn("agent", { width: 390, height: 844 });
    await page.click("text=English");
    await page.waitForSelector("html[lang=en]");
    expect(await page.textContent("h1")).toContain("My results");
    expect(await seriousViolations(page)).toEqual([]);
    // Nothing wider than the screen except inside scrollable tables.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, "agent-me-phone-en");
    await context.close();
    const m = await signedIn("manager", { width: 390, height: 844 });
    await m.page.goto(`${app.url}/overview`);
    await screenshot(m.page, "manager-overview-phone");
    await m.context.close();
  });

  it("shows a keyboard user where the focus is and lets them skip to the content", async () => {
    const { context, page } = await signedIn("manager");
    await page.goto(`${app.url}/overview`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe("solid");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => location.hash)).toBe("#main");
    await context.close();
  });
});
