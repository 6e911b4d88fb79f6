import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { createTestContext, startTestApp, type TestContext } from "../support/context.js";
import { createSurveyCall } from "../support/survey-calls.js";
import { createVoiceMessage, makeWav } from "../review.fixtures.js";
import { issueLinkToken } from "../../src/websurvey/token.js";
import { axeViolations, chromiumPath, launchChromium, SCREENSHOT_DIR, watchCsp } from "./chromium.js";
import { makeGroup, makeUser, TEST_PASSWORD } from "./web-client.js";
import { seedSurveys } from "./factories.js";

/** Every page at the two widths people use: an office laptop and a small phone. */
const WIDTHS = [1366, 375] as const;
const DIR = path.join(SCREENSHOT_DIR, "layouts");
const DAY = 86_400_000;

type Role = "agent" | "manager" | "admin";

describe.skipIf(!chromiumPath)("every page fits 1366 and 375 px, with no axe violations", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let users: Record<Role, Awaited<ReturnType<typeof makeUser>>>;
  let surveyToken: string;
  const contexts = new Map<string, { context: BrowserContext; csp: string[] }>();

  beforeAll(async () => {
    db = await createTestDatabase();
    // The real clock: the browser's session cookie and the server agree on time.
    ctx = await createTestContext(db, { env: { PUBLIC_BASE_URL: "http://127.0.0.1" } });
    app = await startTestApp(ctx);
    // Long names on purpose: they are what overflows a phone.
    const g1 = await makeGroup(ctx, "val1", "Val 1 – Socialt stöd, vård och omsorg");
    const g2 = await makeGroup(ctx, "val3", "Val 3 – Fastigheter, gator, byggande och miljö");
    users = {
      agent: await makeUser(ctx, "agent", { name: "Kim Testsson", agentExternalId: "kim-01" }),
      manager: await makeUser(ctx, "manager", { name: "Chef Testsson" }),
      admin: await makeUser(ctx, "admin", { name: "Admin Testsson" }),
    };
    const other = await makeUser(ctx, "agent", { name: "Robin Provsson", agentExternalId: "robin-02" });
    const now = Date.now();
    for (let w = 2; w >= 0; w--) {
      const from = new Date(now - w * 7 * DAY - 2 * DAY);
      await seedSurveys(ctx, {
        organizationId: ctx.organizationId,
        groupId: g1.id,
        agentId: users.agent.agent!.id,
        from,
        n: 3,
        level: 4.2,
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
    await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: new Date(now - 3_600_000),
      storage: ctx.storage,
      audio: makeWav(1),
      durationSeconds: 1,
      scores: { svarstid: 2, bemotande: 4, kunskap: 3, helhet: 2 },
    });
    const { survey } = await createSurveyCall(ctx, { state: "no_answer" });
    surveyToken = issueLinkToken(ctx.numbers, survey.id, new Date());
    browser = await launchChromium();
    mkdirSync(DIR, { recursive: true });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  /** One signed-in browser context per role and width, reused across pages. */
  async function contextFor(role: Role | null, width: number) {
    const key = `${role}-${width}`;
    const seen = contexts.get(key);
    if (seen) return seen;
    const phone = width < 600;
    const context = await browser.newContext({
      viewport: { width, height: phone ? 812 : 900 },
      isMobile: phone,
      hasTouch: phone,
      locale: "sv-SE",
    });
    const csp = await watchCsp(context);
    if (role) {
      const page = await context.newPage();
      await page.goto(`${app.url}/login`);
      await page.fill("#email", users[role].user.email);
      await page.fill("#password", TEST_PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
      await page.close();
    }
    const entry = { context, csp };
    contexts.set(key, entry);
    return entry;
  }

  const pages: { role: Role | null; path: () => string; name: string }[] = [
    { role: null, path: () => "/login", name: "login" },
    { role: null, path: () => `/s/${surveyToken}`, name: "web-survey" },
    { role: null, path: () => "/finns-inte", name: "not-found" },
    { role: "agent", path: () => "/me", name: "agent" },
    { role: "agent", path: () => "/me?p=period", name: "agent-period" },
    { role: "manager", path: () => "/overview", name: "overview" },
    { role: "manager", path: () => "/overview?p=tertial", name: "overview-tertial" },
    { role: "manager", path: () => "/reports/weekly", name: "report-weekly" },
    { role: "manager", path: () => "/reports/period", name: "report-tertial" },
    { role: "manager", path: () => "/queue", name: "queue" },
    { role: "manager", path: () => "/queue/history", name: "queue-history" },
    { role: "manager", path: () => "/search?q=bygglov", name: "search" },
    { role: "admin", path: () => "/admin", name: "admin-settings" },
    { role: "admin", path: () => "/admin/targets", name: "admin-targets" },
    { role: "admin", path: () => "/admin/users", name: "admin-users" },
    { role: "admin", path: () => "/admin/groups", name: "admin-groups" },
    { role: "admin", path: () => "/admin/api-keys", name: "admin-api-keys" },
    { role: "admin", path: () => "/admin/flows", name: "admin-flows" },
    { role: "admin", path: () => "/admin/audit", name: "admin-audit" },
  ];

  it.each(pages)(
    "$name: no horizontal overflow and no axe violation at 1366 and 375 px, screenshots taken",
    async ({ role, path: url, name }) => {
      const problems: string[] = [];
      for (const width of WIDTHS) {
        const { context, csp } = await contextFor(role, width);
        const page = await context.newPage();
        const res = await page.goto(`${app.url}${url()}`);
        expect(res?.status(), `${name} at ${width}`).toBe(name === "not-found" ? 404 : 200);
        await page.screenshot({ path: path.join(DIR, `${name}-${width}.png`), fullPage: true });
        const fit = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          // What sticks out, to say where to look.
          wide: Array.from(document.querySelectorAll("body *"))
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap"))
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
        }));
        if (fit.scrollWidth > fit.innerWidth)
          problems.push(`${width}: scrollWidth ${fit.scrollWidth} > ${fit.innerWidth} (${fit.wide.join(", ")})`);
        const violations = await axeViolations(page);
        for (const v of violations)
          problems.push(`${width}: axe ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
        problems.push(...csp.splice(0).map((c) => `${width}: CSP ${c}`));
        await page.close();
      }
      expect(problems, name).toEqual([]);
    },
    // Two widths, a full-page screenshot and axe each, on a shared machine.
    120_000,
  );
});
