import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { createSurveyCall } from "../support/survey-calls.js";
import { issueLinkToken } from "../../src/websurvey/token.js";
import { chromiumPath, launchChromium, screenshot, seriousViolations, watchCsp } from "./chromium.js";

/** A citizen on a 375 px phone answers the web survey with the keyboard only (no mouse, no script on the page). */
describe.skipIf(!chromiumPath)("the web survey in Chromium at 375 px", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let csp: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
    app = await startTestApp(ctx);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    csp = await watchCsp(context);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  /** Tabs until a radio has focus (skip link and language switch come first). */
  async function tabToRadio() {
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === "radio")) return;
    }
    throw new Error("no radio reached with Tab");
  }

  it("answers every question and the comment with the keyboard, with no axe violations or CSP errors", async () => {
    const { survey } = await createSurveyCall(ctx, { state: "no_answer" });
    const url = `${app.url}/s/${issueLinkToken(ctx.numbers, survey.id, new Date())}`;
    await page.goto(url);
    expect(await seriousViolations(page)).toEqual([]);
    // No horizontal scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "websurvey-question-375");
    for (let q = 1; q <= 7; q++) {
      await expect.poll(() => page.textContent(".progress")).toContain(`${q} av 7`);
      await tabToRadio();
      await page.keyboard.press("Space"); // selects 1
      await page.keyboard.press("ArrowDown"); // 2
      await page.keyboard.press("ArrowDown"); // 3
      await page.keyboard.press("ArrowDown"); // 4
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("BUTTON");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    }
    expect(await page.locator('[data-survey-state="comment"]').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "websurvey-comment-375");
    for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement?.tagName)) !== "TEXTAREA"; i++)
      await page.keyboard.press("Tab");
    await page.keyboard.type("Mycket bra bemötande.");
    await page.keyboard.press("Tab");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    expect(await page.locator('[data-survey-state="done"]').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    const answers = await db.prisma.answer.findMany({ where: { surveyId: survey.id } });
    expect(answers).toHaveLength(7);
    expect(answers.every((a) => a.score === 4 && a.channel === "web")).toBe(true);
    const vm = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { surveyId: survey.id } });
    expect(vm.text).toBe("Mycket bra bemötande.");
    expect(csp).toEqual([]);
  });
});
