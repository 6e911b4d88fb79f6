import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { chromiumPath, launchChromium, screenshot, seriousViolations, watchCsp } from "./chromium.js";
import { makeGroup, makeUser, TEST_PASSWORD } from "./web-client.js";
import { seedSurveys } from "./factories.js";

const NOW = new Date("2026-06-10T10:00:00Z");
const DAY = 86_400_000;

/** The Tertialrapport in Chromium at 1366 px, on screen and as printed (A4), with axe and the CSP watched. */
describe.skipIf(!chromiumPath)("the Tertialrapport in a real browser", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let manager: Awaited<ReturnType<typeof makeUser>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      now: NOW,
      env: { PUBLIC_BASE_URL: "http://127.0.0.1" },
      settings: { minAnswersForResult: 3 },
    });
    app = await startTestApp(ctx);
    const g1 = await makeGroup(ctx, "val1", "Val 1 – Socialt stöd, vård och omsorg");
    const g2 = await makeGroup(ctx, "val2", "Val 2 – Skola, förskola och vuxenutbildning");
    manager = await makeUser(ctx, "manager", { name: "Chef Testsson" });
    const a1 = await makeUser(ctx, "agent", { name: "Kim Testsson", agentExternalId: "kim-01" });
    const a2 = await makeUser(ctx, "agent", { name: "Robin Provsson", agentExternalId: "robin-02" });
    // This tertial (2026-P2) and the same tertial last year.
    for (const [from, level] of [
      [new Date(NOW.getTime() - 20 * DAY), 4.2],
      [new Date(NOW.getTime() - 365 * DAY), 3.9],
    ] as const) {
      await seedSurveys(ctx, {
        organizationId: ctx.organizationId,
        groupId: g1.id,
        agentId: a1.agent!.id,
        from,
        n: 5,
        level,
      });
      await seedSurveys(ctx, {
        organizationId: ctx.organizationId,
        groupId: g2.id,
        agentId: a2.agent!.id,
        from,
        n: 4,
        level: level - 0.4,
      });
    }
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it("shows every section at 1366 px and prints on A4 without navigation, with axe finding nothing serious", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "sv-SE" });
    const csp = await watchCsp(context);
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.fill("#email", manager.user.email);
    await page.fill("#password", TEST_PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
    await page.goto(`${app.url}/reports/period`);
    expect(await page.textContent("h1")).toBe("Tertialrapport P2 2026");
    expect(await page.locator("section.report-section").count()).toBe(7);
    expect(await page.locator('[data-testid="report-groups"] tbody tr').count()).toBe(2);
    expect(await page.isVisible(".period-nav")).toBe(true);
    expect(await page.isVisible("header.top")).toBe(true);
    expect(await page.isVisible(".report-running")).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "manager-tertialrapport-1366");

    // The picker goes to the chosen tertial.
    await page.fill(".period-picker input[name=year]", "2025");
    await page.fill(".period-picker input[name=number]", "3");
    await Promise.all([page.waitForURL(/number=3/), page.click(".period-picker button[type=submit]")]);
    expect(await page.textContent("h1")).toBe("Tertialrapport P3 2025");
    await page.goBack();

    await page.emulateMedia({ media: "print" });
    expect(await page.isVisible(".period-nav")).toBe(false);
    expect(await page.isVisible("header.top")).toBe(false);
    // The running header (organization and period) is the thead of the layout table, repeated on each printed page.
    expect(await page.isVisible(".report-running")).toBe(true);
    expect(await page.textContent(".report-running")).toContain("Tertialrapport P2 2026");
    const breaks = await page.$$eval("section.report-section", (els) =>
      els.map((e) => getComputedStyle(e).breakBefore),
    );
    expect(breaks[0]).not.toBe("page");
    expect(breaks.slice(1)).toEqual(Array(6).fill("page"));
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "manager-tertialrapport-print");
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(csp).toEqual([]);
    await context.close();
  });
});
