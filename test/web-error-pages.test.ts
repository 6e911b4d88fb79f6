import express from "express";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, errorHandler } from "../src/lib/errors.js";
import { createLogger } from "../src/lib/logger.js";
import { renderErrorPage, wantsErrorPage } from "../src/web/error-page.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";

const NOW = new Date("2026-03-04T10:00:00Z");

/** The page's <h1>, to assert on what a person reads rather than on the whole document. */
const h1 = (page: string) => /<h1>([^<]*)<\/h1>/.exec(page)?.[1];

describe("the app's own error pages in the layout", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let agent: WebClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW });
    app = await startTestApp(ctx);
    const a = await makeUser(ctx, "agent", { name: "Agent Alfa" });
    agent = new WebClient(app.url);
    await agent.signIn(a.user.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("answers an unknown URL with a Swedish 404 page, not Express's 'Cannot GET'", async () => {
    const res = await new WebClient(app.url).get("/no/such/page");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).not.toContain("Cannot GET");
    expect(h1(page)).toBe("Sidan finns inte");
    expect(page).toContain('<html lang="sv">');
    expect(page).toContain('href="/assets/app.css"');
  });

  it("shows the English page after the language toggle", async () => {
    const c = new WebClient(app.url);
    await c.get("/lang/en?next=/");
    const res = await c.get("/no/such/page");
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(h1(page)).toBe("Page not found");
    expect(page).toContain('<html lang="en">');
  });

  it.each(["/queue", "/reports/weekly", "/reports/period", "/overview", "/admin"])(
    "answers an agent's %s with the 'Ingen behörighet' page instead of JSON",
    async (path) => {
      const res = await agent.get(path);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toContain("text/html");
      const page = await res.text();
      expect(h1(page)).toBe("Ingen behörighet");
      expect(page).not.toContain('"code":"forbidden"');
      // Signed in: the layout still shows who is signed in and how to sign out.
      expect(page).toContain("Agent Alfa");
    },
  );

  it("says what is wrong with a bad period or parameter in the viewer's language, from the catalogue", async () => {
    const m = await makeUser(ctx, "manager", { name: "Chef Cesar" });
    const manager = new WebClient(app.url);
    await manager.signIn(m.user.email, TEST_PASSWORD);
    const sv = await manager.get("/overview?period=2026-W54");
    expect(sv.status).toBe(400);
    const svPage = await sv.text();
    expect(h1(svPage)).toBe("Felaktig begäran");
    expect(svPage).toContain("Perioden &quot;2026-W54&quot; går inte att visa: 2026 har veckorna 1–53.");
    const picker = await (await manager.get("/overview?kind=decade&year=2026")).text();
    expect(picker).toContain("välj vecka, månad, tertial eller år");

    await manager.get("/lang/en?next=/");
    const en = await manager.get("/overview?period=2026-W54");
    expect(en.status).toBe(400);
    const enPage = await en.text();
    expect(h1(enPage)).toBe("Bad request");
    expect(enPage).toContain("The period &quot;2026-W54&quot; cannot be shown: 2026 has weeks 1–53.");
    expect(enPage).not.toContain("Perioden");
    expect(enPage).not.toContain("veckorna");
    const month = await (await manager.get("/overview?period=2026-13")).text();
    expect(month).toContain("the month must be 01–12");
    expect(month).not.toContain("ISO");
  });

  it("keeps the JSON error body for API clients and for /api paths even when a browser asks", async () => {
    const api = await agent.get("/api/v1/no-such-endpoint");
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: "not_found" } });
    const json = await agent.get("/queue", { accept: "application/json" });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ error: { code: "forbidden" } });
    const unknown = await fetch(`${app.url}/no/such/thing`, { headers: { accept: "application/json" } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("serves an SVG favicon at /favicon.ico and links it from every page", async () => {
    const res = await fetch(`${app.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("image/svg+xml");
    expect(await res.text()).toContain("<svg");
    const page = await (await new WebClient(app.url).get("/login")).text();
    expect(page).toContain('<link rel="icon" href="/favicon.ico" type="image/svg+xml">');
  });
});

describe("the error translator's HTML branch", () => {
  let server: ReturnType<express.Express["listen"]>;
  let url: string;
  const logger = createLogger("error", { silent: true });

  beforeAll(async () => {
    const app = express();
    app.get("/boom", () => {
      throw new Error("database exploded at 10.0.0.7");
    });
    app.get("/bad", () => {
      throw new AppError("bad_request", "period: expected YYYY-Www", undefined, "Perioden går inte att läsa.");
    });
    app.get("/twilio/x", () => {
      throw new AppError("not_found", "no such webhook");
    });
    app.use(errorHandler(logger, { wants: wantsErrorPage, render: renderErrorPage }));
    await new Promise<void>((r) => (server = app.listen(0, "127.0.0.1", () => r())));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const page = (path: string, headers: Record<string, string> = { accept: "text/html" }) =>
    fetch(`${url}${path}`, { headers });

  it("turns an unexpected error in a page route into the 500 page without the technical cause", async () => {
    const res = await page("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(h1(text)).toBe("Något gick fel");
    expect(text).not.toContain("exploded");
  });

  it("shows the AppError's Swedish userMessage on a 400 page, never its technical message", async () => {
    const res = await page("/bad");
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(h1(text)).toBe("Felaktig begäran");
    expect(text).toContain("Perioden går inte att läsa.");
    expect(text).not.toContain("YYYY-Www");
  });

  it("shows the English generic sentence instead of the Swedish userMessage in English", async () => {
    const res = await page("/bad", { accept: "text/html", cookie: "nki_lang=en" });
    const text = await res.text();
    expect(h1(text)).toBe("Bad request");
    expect(text).not.toContain("Perioden");
  });

  it("keeps JSON for Twilio's paths and for clients that do not ask for HTML", async () => {
    const twilio = await page("/twilio/x");
    expect(twilio.headers.get("content-type")).toContain("application/json");
    const json = await page("/bad", { accept: "application/json" });
    expect(await json.json()).toMatchObject({ error: { code: "bad_request", message: "period: expected YYYY-Www" } });
  });
});
