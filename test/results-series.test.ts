import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/intake/api-keys.js";
import { GOLDEN, type GoldenExpectation } from "./fixtures/golden-expected.js";
import { GOLDEN_GROUPS, GOLDEN_MIN_ANSWERS } from "./fixtures/golden-data.js";
import { querySeries, querySeriesOfGroups } from "../src/results/series.js";
import { loadResultsContext } from "../src/results/repository.js";
import { loadGolden } from "./fixtures/golden-load.js";
import { createTestContext, startTestApp } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/** GET /api/v1/results/series on the hand-computed golden dataset. */
type Row = Record<string, any>;

describe("results over time through GET /api/v1/results/series", () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let key: string;
  let ctx: Awaited<ReturnType<typeof createTestContext>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-01-08T12:00:00Z" });
    await loadGolden(db.prisma, ctx.organizationId);
    key = (await createApiKey(db.prisma, ctx.organizationId, "series")).secret;
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const fetchSeries = (query: string) =>
    fetch(`${app.url}/api/v1/results/series?${query}`, { headers: { authorization: `Bearer ${key}` } });
  async function series(query: string): Promise<Row> {
    const res = await fetchSeries(query);
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  }
  const metricsOf = (r: Row) => ({ n: r.n, distribution: r.distribution, mean: r.mean, ci95: r.ci95 });
  const expected = (g: GoldenExpectation) => ({ n: g.n, distribution: g.distribution, mean: g.mean, ci95: g.ci95 });

  it("gives consecutive weeks across New Year with last year's week and the change, n as answers and citizens", async () => {
    const body = await series("kind=week&end=2025-W02&count=3");
    const exact = (await series("kind=week&end=2025-W02&count=3&exact=true")).points[1];
    expect(body.points.map((p: Row) => p.period.label)).toEqual(["2024-W52", "2025-W01", "2025-W02"]);
    const w01 = body.points[1];
    expect(metricsOf(w01)).toEqual(expected(GOLDEN["2025-W01 overall"]));
    expect(w01.respondents).toBe(6);
    expect(w01.previousYear.period.label).toBe("2024-W01");
    expect(metricsOf(w01.previousYear)).toEqual(expected(GOLDEN["2024-W01 overall"]));
    expect(w01.previousYear.respondents).toBe(3);
    // By hand (scipy's t quantile): 2025-W01 answers 2,2,3,3,4,4,4,5,5,5,5,5 from 6 citizens against 3,3,4,4,4,4 from 3;
    // standard errors over citizens.
    expect(GOLDEN_MIN_ANSWERS).toBeLessThanOrEqual(3);
    expect(exact.change.difference).toBeCloseTo(0.25, 12);
    expect(exact.change.ci95.low).toBeCloseTo(-1.076944836064317, 6);
    expect(exact.change.ci95.high).toBeCloseTo(1.576944836064317, 6);
    expect(w01.change).toEqual({
      difference: 0.25,
      ci95: { low: -1.08, high: 1.58 },
      significant: false,
      suppressed: false,
    });
    // 2024-W52 holds one citizen: too few, and no change is claimed.
    expect(body.points[0]).toMatchObject({ n: 2, respondents: 1, tooFew: true });
    expect(body.points[0].change).toMatchObject({ suppressed: true, significant: false });
  });

  it("gives the last six tertials, the newest exactly as the results API computes it", async () => {
    const body = await series("kind=tertial&end=2025-P1");
    expect(body.points.map((p: Row) => p.period.label)).toEqual([
      "2023-P2",
      "2023-P3",
      "2024-P1",
      "2024-P2",
      "2024-P3",
      "2025-P1",
    ]);
    expect(metricsOf(body.points[5])).toEqual(expected(GOLDEN["2025-P1 overall"]));
    expect(body.points[0]).toMatchObject({ n: 0, respondents: 0, mean: null });
  });

  it("gives an agent's trend beside their svarsgrupp's", async () => {
    const body = await series("kind=week&end=2025-W01&count=2&agent=g-101");
    expect(body.scope).toMatchObject({ agentName: "Agent Ett" });
    // g-101 answered S1, T1 and S2 in 2025-W01; val1 (g-101 and g-102) also T2 and S3.
    expect(body.points[1]).toMatchObject({ respondents: 3, n: 6 });
    expect(body.group[1]).toMatchObject({ groupKey: "val1", metrics: { respondents: 5, n: 10 } });
  });

  it("gives every svarsgrupp's series from one statement exactly as each group's own", async () => {
    const viewer = { kind: "system" as const, organizationId: ctx.organizationId };
    const input = { organizationId: ctx.organizationId, kind: "week" as const, end: "2025-W02", count: 3, exact: true };
    const ofGroup = await querySeriesOfGroups(ctx, viewer, input);
    for (const g of GOLDEN_GROUPS) {
      const own = await querySeries(ctx, viewer, { ...input, group: g.key });
      expect(ofGroup(g)).toEqual(own);
    }
    // Both groups answered in 2025-W01, so the comparison above is not between empty series.
    expect(ofGroup(GOLDEN_GROUPS[0]).points[1].n).toBeGreaterThan(0);
    expect(ofGroup(GOLDEN_GROUPS[1]).points[1].n).toBeGreaterThan(0);
    // A group without answers in the series gets it empty, named.
    const none = ofGroup({ key: "val9", name: "Val 9" });
    expect(none.scope).toEqual({ groupKey: "val9", groupName: "Val 9" });
    expect(none.points.map((p) => p.n)).toEqual([0, 0, 0]);
  });

  it("reads the results context once for calls made while it is being read, and anew after", async () => {
    const q = { organizationId: ctx.organizationId, groupKey: "val1" };
    const [a, b] = await Promise.all([loadResultsContext(db.prisma, q), loadResultsContext(db.prisma, q)]);
    expect(a).toBe(b);
    expect(a?.group?.key).toBe("val1");
    const other = await loadResultsContext(db.prisma, { ...q, groupKey: "val2" });
    expect(other?.group?.key).toBe("val2");
    const later = await loadResultsContext(db.prisma, q);
    expect(later).not.toBe(a);
    expect(later).toEqual(a);
  });

  it.each([
    ["kind=week&end=2025-03", "end"],
    ["kind=week&end=2026-W54", "end"],
    ["kind=tertial&end=2025-P4", "end"],
    ["kind=week&count=40", "count"],
    ["kind=day", "kind"],
  ])("answers %s with a 400 naming %s", async (query, field) => {
    const res = await fetchSeries(query);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].field).toBe(field);
  });
});
