import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPublishedFigures } from "../src/exchange/published.js";
import { ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { seedSurveys } from "./browser/factories.js";

// Wednesday of ISO week 53 of 2026 (2026 has 53 weeks, 2025 has 52), in tertial P3.
const NOW = new Date("2026-12-30T10:00:00Z");
const MIN = 5;

/** The cells of the row labelled `label` in the table whose caption contains `caption`. */
function tableRow(html: string, caption: string, label: string): string[] {
  const table = html.split("<table").find((t) => t.includes(`${caption}</caption>`));
  if (!table) throw new Error(`no table "${caption}"`);
  const row = new RegExp(`<tr><th scope="row">${label}</th>(.*?)</tr>`).exec(table);
  if (!row) throw new Error(`no row ${label} in "${caption}"`);
  return [...row[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
}
const comparison = (html: string, id: string) =>
  [...html.matchAll(new RegExp(`<tr data-comparison="${id}">(.*?)</tr>`, "g"))].map((m) => m[1]);

describe("the overview and the agent page over any period", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const boss = () => new WebClient(app.url);
  let manager: WebClient;
  let agent: WebClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      now: NOW,
      settings: { minAnswersForResult: MIN, benchmarkMinRespondents: MIN },
    });
    app = await startTestApp(ctx);
    const groupId = (await makeGroup(ctx, "val1", "Val 1 – Socialt stöd")).id;
    const a = await makeUser(ctx, "agent", { name: "Agent Alfa" });
    const b = await makeUser(ctx, "agent", { name: "Agent Beta" });
    const m = await makeUser(ctx, "manager");
    const base = { organizationId: ctx.organizationId, groupId };
    const at = (d: string) => new Date(`${d}T08:00:00Z`);
    // Week 53 of 2026 against week 52 of 2025: a clear rise.
    await seedSurveys(ctx, { ...base, agentId: a.agent!.id, from: at("2026-12-28"), n: 8, level: 4.6 });
    await seedSurveys(ctx, { ...base, agentId: a.agent!.id, from: at("2025-12-22"), n: 8, level: 2.6 });
    await seedSurveys(ctx, { ...base, agentId: b.agent!.id, from: at("2026-12-21"), n: 6, level: 4.0 });
    // Too few citizens in week 40: a gap in the trend, never a number.
    await seedSurveys(ctx, { ...base, agentId: a.agent!.id, from: at("2026-09-29"), n: 2, level: 5 });
    // Three other municipalities in this installation, in week 53 only.
    for (const k of [1, 2, 3]) {
      const org = await ensureOrganization(db.prisma, {
        slug: `granne-${k}`,
        name: `Granne ${k}`,
        timeZone: "Europe/Stockholm",
      });
      const g = await ensureGroup(db.prisma, org.id, "val1", "Val 1");
      const ag = await ensureAgent(db.prisma, org.id, `g${k}`, `Granne ${k} agent`);
      await seedSurveys(ctx, {
        organizationId: org.id,
        groupId: g.id,
        agentId: ag.id,
        from: at("2026-12-29"),
        n: 6,
        level: 3.8,
      });
    }
    await importPublishedFigures(
      db.prisma,
      {
        csv: "municipality;year;measure;value;n;source;method\nNorrby kommun;2026;bemotande-index;78,5;412;Servicemätning 2026 (påhittad);Testsamtal och enkät, index 0–100\n",
      },
      NOW,
    );
    manager = boss();
    await manager.signIn(m.user.email, TEST_PASSWORD);
    agent = new WebClient(app.url);
    await agent.signIn(a.user.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("week 53 links to week 52 and to week 1 of the next year, and compares with week 52 of a year without week 53", async () => {
    const res = await manager.get("/overview?period=2026-W53");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("vecka 53, 2026");
    expect(html).toContain('rel="prev" href="/overview?period=2026-W52"');
    expect(html).toContain('rel="next" href="/overview?period=2027-W01"');
    const [previous] = comparison(html, "previous-year");
    expect(previous).toContain("vecka 52, 2025");
    expect(previous).toMatch(/data-testid="change">\+\d,\d\d \(95 %: \d,\d\d – \d,\d\d\)/);
    expect(previous).toContain("mer än slumpen");
  });

  it("a tertial's and a month's neighbours cross the year, on both pages", async () => {
    const overview = await (await manager.get("/overview?period=2026-P1")).text();
    expect(overview).toContain('rel="prev" href="/overview?period=2025-P3"');
    expect(overview).toContain('rel="next" href="/overview?period=2026-P2"');
    const me = await (await agent.get("/me?period=2026-P3")).text();
    expect(me).toContain('rel="next" href="/me?period=2027-P1"');
    const month = await (await agent.get("/me?period=2026-01")).text();
    expect(month).toContain('rel="prev" href="/me?period=2025-12"');
  });

  it("the picker names any period, and a bad period gets the app's Swedish 400 page naming what is wrong", async () => {
    const picked = await manager.get("/overview?kind=week&year=2026&number=53");
    expect(picked.status).toBe(200);
    expect(await picked.text()).toContain("vecka 53, 2026");
    for (const [c, path, sentence] of [
      [manager, "/overview?period=2026-W54", "2026 har veckorna 1–53"],
      [manager, "/overview?period=2026-13", "månaden ska vara 01–12"],
      [agent, "/me?kind=tertial&year=2026&number=4", "tertialen ska vara P1, P2 eller P3"],
      [agent, "/me?period=förra-veckan", "skriv till exempel"],
    ] as const) {
      const res = await c.get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type"), path).toMatch(/text\/html/);
      expect(await res.text(), path).toContain(sentence);
    }
  });

  it("trends show each week, tertial and month from the rollups, with a gap where too few answered", async () => {
    const html = await (await manager.get("/overview?period=2026-W53")).text();
    const weeks = "NKI per vecka, de senaste 13 veckorna";
    expect(tableRow(html, weeks, "v53")[0]).toMatch(/^\d,\d\d$/);
    expect(tableRow(html, weeks, "v52")[0]).toMatch(/^\d,\d\d$/);
    expect(tableRow(html, weeks, "v41")[0]).toBe("–");
    const months = tableRow(html, "NKI per månad 2026 mot året innan", "dec");
    // This December and last December (the last column) both have answers.
    expect(months[0]).toMatch(/^\d,\d\d$/);
    expect(months.at(-1)).toMatch(/^\d,\d\d$/);
    expect(tableRow(html, "NKI per månad 2026 mot året innan", "okt")[0]).toBe("–");
    const tertials = tableRow(html, "NKI per tertial, de senaste 6 tertialen", "P3 2026");
    expect(tertials[0]).toMatch(/^\d,\d\d$/);

    const me = await (await agent.get("/me?period=2026-W53")).text();
    // The agent's own line against their svarsgrupp's and the kundcenter's.
    expect(me).toContain(
      '<th scope="col" class="num">Jag</th><th scope="col" class="num">Val 1 – Socialt stöd</th><th scope="col" class="num">Hela kundcenter</th>',
    );
    const [mine, group] = tableRow(me, "NKI per vecka, de senaste 13 veckorna", "v52");
    expect(mine).toBe("–"); // Agent Beta answered that week, not Alfa
    expect(group).toMatch(/^\d,\d\d$/);
  });

  it("labels every comparison with its source, method and svarande, and says why one is missing", async () => {
    const html = await (await agent.get("/me?period=2026-12")).text();
    const [installation] = comparison(html, "installation");
    expect(installation).toContain("k-anonymt: minst 3 andra kommuner med minst 5 svarande var");
    expect(installation).toMatch(/3 kommuner · 18 svarande/);
    expect(comparison(html, "exchange")[0]).toContain("inga siffror hämtade från andra installationer");
    const week = await (await agent.get("/me?period=2026-W53")).text();
    expect(comparison(week, "exchange")[0]).toContain("utbytet har bara hela månader");
    const [published] = comparison(html, "published");
    expect(published).toContain("Norrby kommun: bemotande-index");
    expect(published).toContain("Servicemätning 2026 (påhittad) · Testsamtal och enkät, index 0–100");
    expect(published).toContain("annan metod – jämförs inte direkt");
    expect(comparison(html, "group")[0]).toContain("Val 1 – Socialt stöd");
    expect(html).toMatch(/data-testid="bench-overall"><span class="cell"><strong>/);

    // A week the other municipalities did not answer: the column stays and says so; no change without last year.
    const past = await (await agent.get("/me?period=2025-W52")).text();
    expect(past).toContain('data-testid="bench-overall"><span class="muted">för få kommuner</span>');
    expect(comparison(past, "installation")[0]).toContain("för få kommuner");
    expect(past).toContain("för få svarande för att jämföra (minst 5 båda åren)");
  });

  it("updates live only a period that contains today", async () => {
    const current = await (await agent.get("/me?period=2026-W53")).text();
    expect(current).toContain('data-stream="/api/v1/results/stream?p=week"');
    expect(current).toContain('src="/assets/live.js"');
    const past = await (await agent.get("/me?period=2026-W52")).text();
    expect(past).not.toContain("data-stream");
    expect(past).not.toContain("live.js");
    expect(past).toContain('data-testid="not-live"');
    const tertial = await (await agent.get("/me?period=2026-P3")).text();
    expect(tertial).toContain('data-stream="/api/v1/results/stream?p=period"');
  });
});
