import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Transcriber } from "../../src/transcription/transcriber.js";
import { enqueueStoredMessages } from "../../src/transcription/repository.js";
import { transcribeNext } from "../../src/transcription/worker.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { createVoiceMessage, makeWav } from "../review.fixtures.js";
import { chromiumPath, launchChromium, screenshot, seriousViolations, watchCsp } from "./chromium.js";
import { makeUser, TEST_PASSWORD } from "./web-client.js";

const FIRST = "Snöröjningen på vår gata är dålig.";
const SECOND = "Ring mig på 070-174 06 05.";
const SAID = `${FIRST} ${SECOND}`;

describe.skipIf(!chromiumPath)("transcripts in Chromium: correcting one and searching", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let page: Page;
  let vmId: string;
  const cspViolations: string[][] = [];
  afterEach(() => {
    const seen = cspViolations.flat();
    cspViolations.forEach((v) => (v.length = 0));
    expect(seen, "CSP violations").toEqual([]);
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    // The real clock: the browser's session cookie and the server must agree on time.
    ctx = await createTestContext(db);
    const fake: Transcriber = {
      endpoint: "http://asr.test",
      model: "fake",
      transcribe: () =>
        Promise.resolve({
          text: SAID,
          language: "sv",
          // The second segment holds the phone number: masking drops its words, the first keeps them.
          segments: [FIRST, SECOND].map((s, i) => ({
            start: i * 2,
            end: i * 2 + 2,
            text: ` ${s}`,
            words: s.split(" ").map((word) => ({ word, probability: word === "gata" ? 0.3 : 0.9 })),
          })),
        }),
    };
    ctx.transcriber = fake;
    app = await startTestApp(ctx);
    const email = (await makeUser(ctx, "manager", { name: "Enhetschef Test" })).user.email;
    const { vm } = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: new Date(Date.now() - 3_600_000),
      storage: ctx.storage,
      audio: makeWav(1),
      scores: { bemotande: 2, helhet: 1 },
    });
    vmId = vm.id;
    await enqueueStoredMessages(db.prisma, ctx.now(), 10);
    expect(await transcribeNext(ctx, fake)).toBe("done");

    browser = await launchChromium();
    const bctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations.push(await watchCsp(bctx));
    page = await bctx.newPage();
    await page.goto(`${app.url}/login`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.press('input[name="password"]', "Enter"),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it("shows the masked automatic text with its uncertain word and a suggestion, with no serious accessibility violations", async () => {
    await page.goto(`${app.url}/queue`);
    const panel = page.locator(`#m-${vmId} section.transcript`);
    expect(await panel.locator("h4").textContent()).toBe("Automatisk text – kan innehålla fel");
    expect(await panel.locator(".tr-text").textContent()).toBe(
      "Snöröjningen på vår gata (osäkert ord) är dålig. Ring mig på [telefonnummer].",
    );
    expect(await panel.locator("mark.uncertain").first().textContent()).toContain("gata");
    expect(await panel.locator(".sugg-class").textContent()).toBe("Klagomål");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "queue-transcript");
  });

  it("fills the form from the suggestion only when asked, and registers nothing until saved", async () => {
    const card = page.locator(`#m-${vmId}`);
    expect(await card.getByLabel("Klagomål").isChecked()).toBe(false);
    await card.getByRole("button", { name: "Fyll i förslaget i formuläret" }).click();
    expect(await card.getByLabel("Klagomål").isChecked()).toBe(true);
    const row = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vmId } });
    expect(row.classification).toBeNull();
  });

  it("corrects the text: the correction is shown with who corrected it, the original kept", async () => {
    const card = page.locator(`#m-${vmId}`);
    await card.getByText("Rätta texten").click();
    await card.getByLabel("Rättad text").fill("Snöröjningen på vår gata är dålig. Mitt nummer är 070-174 06 05.");
    await Promise.all([page.waitForURL(/#m-/), card.getByRole("button", { name: "Spara rättelsen" }).click()]);
    const panel = page.locator(`#m-${vmId} section.transcript`);
    await expect
      .poll(() => panel.locator(".tr-corrected").textContent())
      .toBe("Snöröjningen på vår gata är dålig. Mitt nummer är [telefonnummer].");
    expect(await panel.locator(".corrected-by").textContent()).toMatch(/^Rättad av Enhetschef Test \(/);
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vmId } });
    expect(t.text).toBe("Snöröjningen på vår gata är dålig. Ring mig på [telefonnummer].");
    expect(await db.prisma.auditEvent.count({ where: { action: "transcript.corrected", targetId: vmId } })).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("searches from the navigation, highlights the matching word and links back to the message", async () => {
    await page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Sök" }).click();
    await page.getByLabel("Sökord").fill("snöröjning");
    await Promise.all([page.waitForURL(/q=/), page.getByRole("button", { name: "Sök", exact: true }).click()]);
    expect(await page.locator("#results-h").textContent()).toBe("1 träffar");
    expect(await page.locator(".hit mark").first().textContent()).toBe("Snöröjningen");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "search");
    await page.getByRole("link", { name: "Öppna i lyssningskön" }).click();
    await page.waitForURL(new RegExp(`#m-${vmId}$`));
  });
});
