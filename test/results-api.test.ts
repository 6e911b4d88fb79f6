import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { createSession } from "../src/auth/sessions.js";
import { createUser } from "../src/auth/users.js";
import { createApiKey } from "../src/intake/api-keys.js";
import { ensureOrganization } from "../src/organizations/service.js";
import { loadGolden, type GoldenWorld } from "./fixtures/golden-load.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

describe("results API access and validation", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let world: GoldenWorld;
  let key: string;
  let cookie: (role: "agent" | "manager", agent?: string) => Promise<string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-01-04T12:00:00Z" });
    world = await loadGolden(db.prisma, ctx.organizationId);
    key = (await createApiKey(db.prisma, ctx.organizationId, "integration")).secret;
    app = await startTestApp(ctx);
    let n = 0;
    cookie = async (role, agent) => {
      const user = await createUser(db.prisma, {
        organizationId: ctx.organizationId,
        email: `u${++n}@example.test`,
        name: `Användare ${n}`,
        role,
        agentId: agent ? world.agents[agent] : null,
        password: "correct horse battery staple",
      });
      const { id } = await createSession(db.prisma, {
        userId: user.id,
        now: ctx.now(),
        policy: sessionPolicy(ctx.config),
      });
      return `${sessionCookieName(ctx.config)}=${id}`;
    };
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { headers });

  it("refuses requests without an API key or session, and unknown keys", async () => {
    expect((await get("/api/v1/results?period=2025-W01")).status).toBe(401);
    const res = await get("/api/v1/results?period=2025-W01", { authorization: "Bearer nki_nope" });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("names the bad field when a period or list is invalid", async () => {
    const auth = { authorization: `Bearer ${key}` };
    const bad = await (await get("/api/v1/results?period=2025-W54", auth)).json();
    expect(bad.error).toMatchObject({ code: "validation_failed", details: [{ field: "period" }] });
    const by = await get("/api/v1/results?period=2025&by=group,colour", auth);
    expect(by.status).toBe(400);
    expect((await by.json()).error.details[0].field).toBe("by");
    expect((await get("/api/v1/results?period=2025&from=2025-01-01&to=2025-01-02", auth)).status).toBe(400);
    expect((await get("/api/v1/results", auth)).status).toBe(400);
    const unknown = await get("/api/v1/results?period=2025&group=nope", auth);
    expect(unknown.status).toBe(404);
  });

  it.each([
    ["period=0000", "period"],
    ["period=0001-W01", "period"],
    ["period=9999-P1", "period"],
    ["period=2026-W54", "period"],
    ["period=2026-P4", "period"],
    ["from=0001-01-01&to=2025-01-01", "from"],
    ["from=2025-01-01&to=9999-12-31", "to"],
  ])("answers %s with a 400 naming %s, never a 500", async (query, field) => {
    const res = await get(`/api/v1/results?${query}`, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: "validation_failed", details: [{ field }] });
  });

  it("reads a tertial written 2026-T3 as 2026-P3, in JSON and CSV", async () => {
    const auth = { authorization: `Bearer ${key}` };
    const body = await (await get("/api/v1/results?period=2026-T3", auth)).json();
    expect(body.period).toEqual({ kind: "tertial", label: "2026-P3", from: "2026-09-01", to: "2026-12-31" });
    const csv = await get("/api/v1/results?period=2026-T3&format=csv", auth);
    expect(csv.headers.get("content-disposition")).toContain("nki-2026-P3.csv");
  });

  it("an API key reads only its own organization: another organization's key sees none of these answers", async () => {
    const other = await ensureOrganization(db.prisma, {
      slug: "tom-kommun",
      name: "Tom kommun",
      timeZone: "Europe/Stockholm",
    });
    const otherKey = (await createApiKey(db.prisma, other.id, "other")).secret;
    const body = await (await get("/api/v1/results?period=2025-W01", { authorization: `Bearer ${otherKey}` })).json();
    expect(body.rows).toEqual([expect.objectContaining({ n: 0, mean: null, tooFew: true })]);
    const res = await get(`/api/v1/results?period=2025-W01&agent=g-101`, { authorization: `Bearer ${otherKey}` });
    expect(res.status).toBe(404);
  });

  it("an agent sees their own individual rows and group aggregates, never another agent's", async () => {
    const c = await cookie("agent", "g-101");
    const own = await get("/api/v1/results?period=2025-W01&agent=g-101&by=question", { cookie: c });
    expect(own.status).toBe(200);
    expect((await own.json()).rows[0]).toMatchObject({ agentExternalId: "g-101", n: 3 });
    const groups = await get("/api/v1/results?period=2025-W01&by=group", { cookie: c });
    expect(groups.status).toBe(200);
    const other = await get("/api/v1/results?period=2025-W01&agent=g-102", { cookie: c });
    expect(other.status).toBe(403);
    const everyone = await get("/api/v1/results?period=2025-W01&by=agent", { cookie: c });
    expect(everyone.status).toBe(403);
    expect((await get("/api/v1/results/funnel?period=2025-W01", { cookie: c })).status).toBe(403);
    expect((await get("/api/v1/coaching", { cookie: c })).status).toBe(403);
    expect((await get("/reports/weekly?week=2025-W01", { cookie: c })).status).toBe(403);
  });

  it("a manager gets the weekly report as printable HTML with inline charts and no external assets", async () => {
    const c = await cookie("manager");
    const res = await get("/reports/weekly?week=2025-W01", { cookie: c });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<svg");
    expect(html).toContain("Val 1 – Socialt stöd, vård och omsorg");
    expect(html).toContain("Veckorapport vecka 1, 2025");
    expect(html).toContain("vecka 1, 2024");
    expect(html).not.toMatch(/(src|href)="https?:/);
    const period = await (await get("/reports/period?period=2025-P1", { cookie: c })).text();
    expect(period).toContain("<title>Tertialrapport P1 2025");
    expect(period).toContain("<h1>Tertialrapport P1 2025</h1>");
    expect((await get("/reports/period?period=2025-P4", { cookie: c })).status).toBe(400);
  });

  it("the weekly and tertial reports take any period, and a bad one names its parameter", async () => {
    const c = await cookie("manager");
    expect(await (await get("/reports/period?period=2025-T1", { cookie: c })).text()).toContain(
      "Tertialrapport P1 2025",
    );
    expect(await (await get("/reports/weekly?period=2025-01", { cookie: c })).text()).toContain(
      "Månadsrapport januari 2025",
    );
    expect(await (await get("/reports/period?period=2025", { cookie: c })).text()).toContain("2024");
    const bad = await get("/reports/weekly?week=2026-W54", { cookie: c, accept: "application/json" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details).toEqual([{ field: "week", message: "2026 has ISO weeks 01–53" }]);
  });

  it("a report page links to the previous and next period and has a plain GET period picker", async () => {
    const c = await cookie("manager");
    const page = await (await get("/reports/weekly?week=2025-W01", { cookie: c })).text();
    expect(page).toContain('<a rel="prev" href="/reports/weekly?period=2024-W52">');
    expect(page).toContain('<a rel="next" href="/reports/weekly?period=2025-W02">');
    expect(page).toMatch(/<form method="get" action="\/reports\/weekly"/);
    expect(page).toMatch(/<option value="week" selected>/);
    const picked = await get("/reports/period?kind=tertial&year=2024&number=3", { cookie: c });
    expect(picked.status).toBe(200);
    const text = await picked.text();
    expect(text).toContain('<strong aria-current="page">2024-P3</strong>');
    expect(text).toContain('href="/reports/period?period=2025-P1"');
  });

  it("a bad period in a report's address gives the app's own Swedish page, not JSON", async () => {
    const c = await cookie("manager");
    const res = await get("/reports/period?kind=tertial&year=2026&number=4", { cookie: c, accept: "text/html" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain("Perioden &quot;2026-P4&quot; går inte att visa: tertialen ska vara P1, P2 eller P3.");
    const old = await get("/reports/weekly?week=0001-W01", { cookie: c, accept: "text/html" });
    expect(old.status).toBe(400);
    expect(await old.text()).toContain("välj ett år mellan 2000 och 2100");
  });

  it("documents the results, funnel and coaching endpoints in the OpenAPI document", async () => {
    const doc = await (await get("/api/openapi.json")).json();
    const results = doc.paths["/api/v1/results"].get;
    expect(results.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["period", "from", "to", "by", "group", "agent", "compare", "format"]),
    );
    expect(doc.paths["/api/v1/results/funnel"]).toBeDefined();
    expect(doc.paths["/api/v1/coaching"]).toBeDefined();
    expect(doc.components.schemas.ResultRow.properties).toHaveProperty("satisfiedShare");
  });
});
