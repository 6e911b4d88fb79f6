import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { effectiveChannel } from "../src/web/channel-switch.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { QUESTIONS, storeAnswers } from "./browser/factories.js";

// Wednesday of ISO week 48 of 2026.
const NOW = new Date("2026-11-25T10:00:00Z");
const all = (score: number) => Object.fromEntries(QUESTIONS.map((q) => [q, score]));

/** The text of the element with data-testid `id` (tags stripped). */
const testId = (page: string, id: string) =>
  new RegExp(`data-testid="${id}"[^>]*>(.*?)</(?:p|div|span|strong)>`, "s")
    .exec(page)?.[1]
    .replace(/<[^>]+>/g, "")
    .trim();

describe("the channel switch on the agent page and the reports", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let agent: WebClient;
  let manager: WebClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW, settings: { minAnswersForResult: 2, benchmarkMinRespondents: 2 } });
    app = await startTestApp(ctx);
    const groupId = (await makeGroup(ctx, "bygglov", "Bygglov och tillstånd")).id;
    const a = await makeUser(ctx, "agent", { name: "Vera Provperson" });
    const m = await makeUser(ctx, "manager");
    const base = { organizationId: ctx.organizationId, groupId, agentId: a.agent!.id, publish: false };
    // Four citizens gave 5 on the phone, three gave 1 on the web: every channel choice gives another NKI.
    for (let i = 0; i < 4; i++)
      await storeAnswers(ctx, { ...base, at: new Date(NOW.getTime() - (i + 1) * 3_600_000), scores: all(5) });
    for (let i = 0; i < 3; i++)
      await storeAnswers(ctx, {
        ...base,
        at: new Date(NOW.getTime() - (i + 1) * 3_700_000),
        scores: all(1),
        channel: "web",
      });
    agent = new WebClient(app.url);
    await agent.signIn(a.user.email, TEST_PASSWORD);
    manager = new WebClient(app.url);
    await manager.signIn(m.user.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it("the agent page shows the phone survey by default and says so", async () => {
    const page = await (await agent.get("/me?p=week")).text();
    expect(testId(page, "kpi-week")).toBe("5,00");
    expect(testId(page, "channels")).toBe("Svaren kommer från: telefon");
    expect(page).toMatch(/<a href="\/me\?p=week&amp;channel=phone" aria-current="page">Telefon<\/a>/);
  });

  it("?channel=web and ?channel=all change the agent's figures, and the page's links keep the channel", async () => {
    const web = await (await agent.get("/me?p=week&channel=web")).text();
    expect(testId(web, "kpi-week")).toBe("1,00");
    expect(testId(web, "channels")).toBe("Svaren kommer från: webb");
    expect(web).toContain('href="/me?p=today&amp;channel=web"');
    expect(web).toContain('data-stream="/api/v1/results/stream?p=week&amp;channel=web"');
    expect(web).toContain('<input type="hidden" name="channel" value="web">');
    const both = await (await agent.get("/me?p=week&channel=all")).text();
    // (4 × 5 + 3 × 1) / 7 citizens, every question alike.
    expect(testId(both, "kpi-week")).toBe("3,29");
    expect(testId(both, "channels")).toBe("Svaren kommer från: telefon + webb");
  });

  it("a past period's links carry the channel too", async () => {
    const page = await (await agent.get("/me?period=2026-W47&channel=web")).text();
    expect(page).toContain('href="/me?period=2026-W46&amp;channel=web"');
    expect(page).toContain('href="/me?p=week&amp;channel=web"');
  });

  it("refuses an unknown channel on the agent page and the reports, naming the field", async () => {
    for (const [client, path] of [
      [agent, "/me?channel=fax"],
      [manager, "/reports/weekly?channel=fax"],
      [manager, "/reports/period.csv?channel=fax"],
    ] as const) {
      const res = await client.get(path);
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).toContain("channel");
    }
  });

  it("the weekly report's NKI says its channels and follows the switch, downloads included", async () => {
    const phone = await (await manager.get("/reports/weekly?week=2026-W48")).text();
    expect(phone).toMatch(/<p>NKI \(telefon\) 5,00 \(4 svarande/);
    const web = await (await manager.get("/reports/weekly?week=2026-W48&channel=web")).text();
    expect(web).toMatch(/<p>NKI \(webb\) 1,00 \(3 svarande/);
    expect(testId(web, "channels")).toBe("Svaren kommer från: webb");
    expect(web).toContain('href="/reports/weekly.csv?period=2026-W48&amp;channel=web"');
    expect(web).toContain('href="/reports/weekly?period=2026-W47&amp;channel=web"');
    // The funnel counts everyone selected, whatever the switch says.
    expect(testId(web, "response-rate-all")).toBe(testId(phone, "response-rate-all"));
  });

  it("the tertial report's CSV names the channels in its title and in every NKI row", async () => {
    const res = await manager.get("/reports/period.csv?period=2026-T3&channel=all");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain('filename="tertialrapport-2026-P3-all.csv"');
    const lines = (await res.text()).replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toContain("NKI från telefon + webb");
    const head = lines.findIndex((l) => l.startsWith("Fråga,"));
    expect(lines[head].endsWith(",Kanaler")).toBe(true);
    // The NKI total's row; Kanaler is the last column (no number in it has a comma).
    const nki = lines[head + 1].split(",");
    expect(nki[0]).toBe("NKI totalt");
    expect(nki.at(-1)).toBe("telefon + webb");
    expect(Number(nki[1])).toBeCloseTo(23 / 7, 2);
    const phoneOnly = await (await manager.get("/reports/period.csv?period=2026-T3")).text();
    expect(phoneOnly).toContain("NKI från telefon\r\n");
  });

  it("the XLSX of a chosen channel is named for it", async () => {
    const res = await manager.get("/reports/weekly.xlsx?week=2026-W48&channel=web");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain('filename="veckorapport-2026-W48-web.xlsx"');
  });

  it("the series API counts the same channels as the headline", async () => {
    const series = async (q: string) =>
      (await (
        await manager.get(`/api/v1/results/series?kind=week&end=2026-W48&count=2${q}`, { accept: "application/json" })
      ).json()) as {
        channels: string[];
        points: { respondents: number; mean: number | null }[];
      };
    const phone = await series("");
    expect(phone.channels).toEqual(["phone"]);
    expect(phone.points.at(-1)).toMatchObject({ respondents: 4, mean: 5 });
    const web = await series("&channel=web");
    expect(web.channels).toEqual(["web"]);
    expect(web.points.at(-1)).toMatchObject({ respondents: 3, mean: 1 });
  });

  it("an organization that counts web answers in its headline gets both by default, marked as such", async () => {
    expect(effectiveChannel(undefined, ["phone", "web"])).toBe("all");
    expect(effectiveChannel(undefined, ["phone"])).toBe("phone");
    expect(effectiveChannel("web", ["web"])).toBe("web");
    const other = await createTestContext(db, {
      now: NOW,
      settings: { minAnswersForResult: 2, webAnswersInHeadline: true },
    });
    const m = await makeUser(other, "manager");
    const client = new WebClient(app.url);
    await client.signIn(m.user.email, TEST_PASSWORD);
    const page = await (await client.get("/reports/weekly?week=2026-W48")).text();
    expect(testId(page, "channels")).toBe("Svaren kommer från: telefon + webb");
    expect(page).toMatch(/channel=all" aria-current="page">Alla kanaler<\/a>/);
  });
});
