import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { chromiumPath, launchChromium, screenshot, seriousViolations, watchCsp } from "./chromium.js";
import { makeGroup, makeUser, TEST_PASSWORD } from "./web-client.js";
import { storeAnswers } from "./factories.js";
import { presetTargets } from "../../src/results/target-presets.js";

const NOW = new Date("2026-03-04T10:00:00Z");

/**
 * The calm live page and the admin pages this branch changed, in Chromium at
 * 1366 and 375 px with axe. Traffic is injected as answer.stored events; the
 * page's 30 s / 60 s intervals are shortened through its data attributes, and
 * its time is moved by the test (Playwright's clock), so no wall time is measured.
 */
describe.skipIf(!chromiumPath)("a calm live page, and the settings and targets pages at two widths", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let agent: Awaited<ReturnType<typeof makeUser>>;
  let other: Awaited<ReturnType<typeof makeUser>>;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let groupId: string;
  const csp: string[][] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW, env: { PUBLIC_BASE_URL: "http://127.0.0.1" } });
    app = await startTestApp(ctx);
    groupId = (await makeGroup(ctx, "val1", "Val 1 – Socialt stöd, vård och omsorg")).id;
    agent = await makeUser(ctx, "agent", { name: "Kim Testsson", agentExternalId: "kim-01" });
    other = await makeUser(ctx, "agent", { name: "Robin Provsson", agentExternalId: "robin-02" });
    admin = await makeUser(ctx, "admin", { name: "Admin Testsson" });
    await presetTargets(ctx.prisma, ctx.organizationId, "2026-01-01");
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
    expect(csp.flat(), "CSP violations").toEqual([]);
  });

  async function signedIn(email: string, width = 1366, height = 900, clock = false): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, locale: "sv-SE" });
    csp.push(await watchCsp(context));
    const page = await context.newPage();
    // The page's own clock (Date and timers), which the test then stops and moves by hand.
    if (clock) await page.clock.install();
    await page.goto(`${app.url}/login`);
    await page.fill("#email", email);
    await page.fill("#password", TEST_PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
    return page;
  }
  const attr = (page: Page, name: string) =>
    page.evaluate((n) => Number(document.getElementById("live")?.getAttribute(n) ?? 0), name);
  const answer = (agentId: string, minutesAgo: number) =>
    storeAnswers(ctx, {
      organizationId: ctx.organizationId,
      groupId,
      agentId,
      at: new Date(NOW.getTime() - minutesAgo * 60_000),
      scores: { bemotande: 5, kunskap: 4 },
    });

  it("redraws others' answers quietly and at most once per interval, and animates and announces only the agent's own", async () => {
    const page = await signedIn(agent.user.email, 1366, 900, true);
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent?.includes("automatiskt"));
    expect(await page.textContent("#live-updated")).toMatch(/^Senast uppdaterad \d\d:\d\d$/);
    // From here on the page's time moves only when the test moves it (Playwright's clock): the gaps
    // between redraws are the page's own decisions, not how fast this machine happens to be.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
    // Shorter intervals for the test; the page reads them at every event.
    await page.evaluate(() => {
      const live = document.getElementById("live")!;
      live.setAttribute("data-quiet-ms", "8000");
      live.setAttribute("data-announce-ms", "600000");
      (window as unknown as { redrawAt: number[] }).redrawAt = [];
      new MutationObserver(() => (window as unknown as { redrawAt: number[] }).redrawAt.push(Date.now())).observe(
        live,
        { attributes: true, attributeFilter: ["data-redraws"] },
      );
    });

    // Whatever reached the page before the clock stopped is drawn at its default 30 s interval first.
    await page.clock.runFor(30_000);
    const before = { received: await attr(page, "data-received"), redraws: await attr(page, "data-redraws") };
    await page.evaluate(() => ((window as unknown as { redrawAt: number[] }).redrawAt = []));

    // Traffic about someone else: four bursts 3 s apart, each its own message.
    for (let i = 0; i < 4; i++) {
      await answer(other.agent!.id, 10 + i);
      await page.waitForFunction(
        (n) => Number(document.getElementById("live")!.getAttribute("data-received")) > n,
        before.received + i,
        { timeout: 30_000, polling: 50 },
      );
      await page.clock.runFor(3000);
    }
    // The last burst waits for its turn: applied once the interval after the last redraw is over.
    await page.clock.runFor(8000);
    expect(await attr(page, "data-pending")).toBe(0);
    const received = await attr(page, "data-received");
    const quietRedraws = await attr(page, "data-redraws");
    expect(received - before.received).toBe(4);
    // Four messages over 12 s with an 8 s interval: two or three redraws (depending on when the
    // page last drew before them), never one per message.
    expect(quietRedraws - before.redraws).toBeGreaterThanOrEqual(2);
    expect(quietRedraws - before.redraws).toBeLessThanOrEqual(3);
    const gaps = await page.evaluate(() => {
      const t = (window as unknown as { redrawAt: number[] }).redrawAt;
      return t.slice(1).map((x, i) => x - t[i]);
    });
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(8000);
    expect(await attr(page, "data-updates")).toBe(0);
    expect(await attr(page, "data-announcements")).toBe(0);
    expect(await page.textContent("#live-announce")).toBe("");
    expect(await page.evaluate(() => document.getElementById("live")!.classList.contains("flash"))).toBe(false);
    expect(await page.textContent("#live-updated")).toMatch(/^Senast uppdaterad \d\d:\d\d$/);

    // The agent's own answers: redrawn at once and animated; announced once, the second waits its minute.
    await answer(agent.agent!.id, 5);
    await page.waitForSelector('#live[data-updates="1"]', { timeout: 10_000 });
    expect(await page.evaluate(() => document.getElementById("live")!.classList.contains("flash"))).toBe(true);
    // The announcement is queued on a zero timeout; a moment of the page's time lets it run.
    await page.clock.runFor(10);
    await page.waitForSelector('#live[data-announcements="1"]');
    expect(await page.textContent("#live-announce")).toMatch(/^Nytt svar om ditt samtal \d\d:\d\d\./);
    await answer(agent.agent!.id, 4);
    await page.waitForSelector('#live[data-updates="2"]', { timeout: 10_000 });
    expect(await attr(page, "data-redraws")).toBe(quietRedraws + 2);
    expect(await attr(page, "data-announcements")).toBe(1);
    // Only the announcement region is a live region; the connection line is not read aloud.
    expect(await page.$$eval("[aria-live]", (els) => els.map((e) => e.id))).toEqual(["live-announce"]);
    // axe waits on the page's timers.
    await page.clock.resume();
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  }, 150_000);

  for (const [width, height] of [
    [1366, 900],
    [375, 812],
  ] as const) {
    it(`the agent page, the settings page and the targets page at ${width} px: axe 0, nothing wider than the screen`, async () => {
      const me = await signedIn(agent.user.email, width, height);
      expect(await seriousViolations(me)).toEqual([]);
      await screenshot(me, `live-agent-${width}`);
      await me.context().close();
      const page = await signedIn(admin.user.email, width, height);
      for (const [path, name] of [
        ["/admin", "admin-settings-calling-hours"],
        ["/admin/targets", "admin-targets-bands"],
      ]) {
        await page.goto(`${app.url}${path}`);
        expect(await seriousViolations(page), path).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        const wide = await page.evaluate(() =>
          Array.from(document.querySelectorAll("body *"))
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map((e) => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`),
        );
        expect(overflow, `${path}: ${wide.join(", ")}`).toBeLessThanOrEqual(1);
        await screenshot(page, `${name}-${width}`);
      }
      // The preset band is shown as a band, and a mistyped share is refused in Swedish.
      expect(await page.textContent("table")).toContain("75–80\u00a0%");
      await page.selectOption("#t-m", "satisfiedShare");
      await page.fill("#t-lo", "0,8");
      await Promise.all([page.waitForLoadState("load"), page.click("text=Spara mål")]);
      expect(await page.textContent("[role=alert]")).toContain("Menade du 80 %?");
      await page.goto(`${app.url}/admin`);
      await page.uncheck("#day-mon");
      await page.fill("#callingFrom", "09:00");
      await Promise.all([page.waitForURL(/saved=1/), page.click("text=Spara inställningar")]);
      expect(await page.textContent("#calling-preview")).toMatch(/09:00–20:00/);
      expect(await page.textContent("#calling-preview")).not.toMatch(/måndag/);
      await page.check("#day-mon");
      await Promise.all([page.waitForURL(/saved=1/), page.click("text=Spara inställningar")]);
      await page.context().close();
    }, 60_000);
  }
});
