import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { createVoiceMessage, makeWav } from "../review.fixtures.js";
import { chromiumPath, launchChromium, screenshot, seriousViolations, watchCsp } from "./chromium.js";
import { makeUser, TEST_PASSWORD } from "./web-client.js";
import { auditEventName } from "../../src/audit/event-names.js";

async function until<T>(f: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!chromiumPath)("the listening queue in Chromium", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let managerCtx: BrowserContext;
  let page: Page;
  let managerEmail: string;
  let adminEmail: string;
  let vmId: string;
  const audioRanges: string[] = [];
  // The queue's script and styles run under the service's CSP; any violation fails the test it happened in.
  const cspViolations: string[][] = [];
  afterEach(() => {
    const seen = cspViolations.flat();
    cspViolations.forEach((v) => (v.length = 0));
    expect(seen, "CSP violations").toEqual([]);
  });

  async function signIn(p: Page, email: string) {
    await p.goto(`${app.url}/login`);
    await p.fill('input[name="email"]', email);
    await p.fill('input[name="password"]', TEST_PASSWORD);
    await Promise.all([
      p.waitForURL((u) => !u.pathname.startsWith("/login")),
      p.press('input[name="password"]', "Enter"),
    ]);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    // The real clock: the browser's session cookie and the server must agree on time.
    ctx = await createTestContext(db);
    app = await startTestApp(ctx);
    managerEmail = (await makeUser(ctx, "manager", { name: "Enhetschef Test" })).user.email;
    adminEmail = (await makeUser(ctx, "admin", { name: "Admin Test" })).user.email;
    const now = Date.now();
    const { vm } = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: new Date(now - 3_600_000),
      storage: ctx.storage,
      audio: makeWav(2),
      durationSeconds: 2,
      scores: { svarstid: 2, bemotande: 4, kunskap: 3, helhet: 2 },
    });
    vmId = vm.id;
    await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: new Date(now - 1_800_000),
      storage: ctx.storage,
      audio: makeWav(1),
      groupKey: "val2",
      agentExternalId: "a-200",
    });
    browser = await launchChromium();
    managerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations.push(await watchCsp(managerCtx));
    page = await managerCtx.newPage();
    page.on("request", (r) => {
      if (r.url().includes("/queue/audio/")) audioRanges.push(r.headers()["range"] ?? "(none)");
    });
    await signIn(page, managerEmail);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it("shows the week's messages, unreviewed first, with no serious accessibility violations", async () => {
    await page.goto(`${app.url}/queue`);
    await expect.poll(() => page.locator("article.vm").count()).toBe(2);
    await expect.poll(() => page.locator("article.vm").first().getAttribute("id")).toBe(`m-${vmId}`);
    expect(await page.locator("h1").textContent()).toContain("Lyssningskö");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "queue");
  });

  it("plays a message with the k shortcut, streamed with Range requests and audited once", async () => {
    await page.locator("main h1").click();
    await page.keyboard.press("k");
    const audio = page.locator(`#m-${vmId} audio`);
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 })
      .toBeGreaterThan(0.2);
    await page.keyboard.press("k");
    expect(await audio.evaluate((a: HTMLAudioElement) => a.paused)).toBe(true);
    expect(audioRanges.length).toBeGreaterThan(0);
    expect(audioRanges[0]).toMatch(/^bytes=0-/);
    const plays = await until(async () => {
      const n = await db.prisma.auditEvent.count({ where: { action: "voice-message.play", targetId: vmId } });
      return n > 0 ? n : null;
    });
    expect(plays).toBe(1);
  });

  it("moves to the next message with j and back with p", async () => {
    await page.keyboard.press("j");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).not.toBe(`m-${vmId}`);
    await page.keyboard.press("p");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`m-${vmId}`);
  });

  it("classifies the message as a complaint, registers it with a case reference and marks it reviewed", async () => {
    const card = page.locator(`#m-${vmId}`);
    await card.getByLabel("Klagomål").check();
    await card.getByLabel("Berörd förvaltning").fill("Socialförvaltningen");
    await card.getByLabel("Ärendereferens").fill("FX-2025-0042");
    await card.getByLabel("Registrerad i ärendesystemet").check();
    await card.getByRole("button", { name: "Spara", exact: true }).click();
    await expect.poll(() => page.locator("#queue-status").textContent()).toBe("Sparat");
    expect(await card.locator(".review-status").textContent()).toBe("Granskad");
    expect(await page.locator('[data-count="unreviewed"]').textContent()).toBe("1");
    const row = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vmId } });
    expect(row).toMatchObject({
      classification: "klagomal",
      caseReference: "FX-2025-0042",
      forvaltning: "Socialförvaltningen",
    });
    expect(row.registeredAt).not.toBeNull();
    expect(row.reviewedAt).not.toBeNull();
    await screenshot(page, "queue-reviewed");
  });

  it("shows a missing case reference next to the field", async () => {
    const card = page.locator("article.vm").nth(1);
    await card.getByLabel("Beröm").check();
    await card.getByLabel("Registrerad i ärendesystemet").check();
    await card.getByRole("button", { name: "Spara", exact: true }).click();
    await expect.poll(() => card.locator(".form-error").isVisible()).toBe(true);
    expect(await card.locator(".form-error").textContent()).toContain("ärendereferens");
    expect(await card.getByLabel("Ärendereferens").getAttribute("aria-invalid")).toBe("true");
  });

  it("lets an admin read the playback and the review in the audit log", async () => {
    const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations.push(await watchCsp(adminCtx));
    const admin = await adminCtx.newPage();
    await signIn(admin, adminEmail);
    await admin.goto(`${app.url}/admin/audit`);
    const text = (await admin.locator("main").textContent()) ?? "";
    // The audit page names each action in Swedish (src/audit/event-names.ts), not by its code.
    for (const action of [
      "voice-message.play",
      "voice-message.classify",
      "voice-message.case-reference",
      "voice-message.register",
      "voice-message.reviewed",
    ]) {
      expect(text).toContain(auditEventName(action, "sv"));
      expect(text).not.toContain(action);
    }
    expect(text).toContain("FX-2025-0042");
    expect(text).toContain("Enhetschef Test");
    await screenshot(admin, "queue-audit-log");
    await adminCtx.close();
  });

  it("fits a phone screen", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    cspViolations.push(await watchCsp(phone));
    const p = await phone.newPage();
    await signIn(p, managerEmail);
    await p.goto(`${app.url}/queue`);
    const overflow = await p.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(p)).toEqual([]);
    await screenshot(p, "queue-phone");
    await phone.close();
  });
});
