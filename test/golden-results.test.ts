import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/intake/api-keys.js";
import { GOLDEN, type GoldenExpectation } from "./fixtures/golden-expected.js";
import { loadGolden } from "./fixtures/golden-load.js";
import { createTestContext, startTestApp } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/**
 * The API reproduces the hand-computed golden results exactly (rounded as
 * documented), and to 12 digits with exact=true.
 */
type Row = Record<string, any>;

describe("golden dataset through GET /api/v1/results", () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const ctx = await createTestContext(db);
    await loadGolden(db.prisma, ctx.organizationId);
    key = (await createApiKey(db.prisma, ctx.organizationId, "golden")).secret;
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  async function get(query: string): Promise<{ rows: Row[]; [k: string]: any }> {
    const res = await fetch(`${app.url}/api/v1/results?${query}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  }
  const metricsOf = (r: Row) => ({
    n: r.n,
    distribution: r.distribution,
    mean: r.mean,
    index: r.index,
    satisfiedShare: r.satisfiedShare,
    ci95: r.ci95,
  });
  const expected = (g: GoldenExpectation) => ({
    n: g.n,
    distribution: g.distribution,
    mean: g.mean,
    index: g.index,
    satisfiedShare: g.satisfiedShare,
    ci95: g.ci95,
  });
  const q = (rows: Row[], key: string) => rows.find((r) => r.questionKey === key)!;

  it("ISO week 2025-W01 starts on Monday 30 December 2024 and ends at Sunday midnight local time", async () => {
    const { rows, period } = await get("period=2025-W01&by=question");
    expect(period).toMatchObject({ from: "2024-12-30", to: "2025-01-05" });
    expect(rows.map((r) => r.questionKey)).toEqual(["bemotande", "kunskap"]);
    expect(metricsOf(q(rows, "bemotande"))).toEqual(expected(GOLDEN["2025-W01 bemotande"]));
    expect(metricsOf(q(rows, "kunskap"))).toEqual(expected(GOLDEN["2025-W01 kunskap"]));
  });

  it("judges each question against the target in force at the period's end", async () => {
    const { rows } = await get("period=2025-W01&by=question");
    // bemotande 4.00 against 4.0 (the 4.3 target starts 1 March 2025); kunskap's target starts in 2026.
    expect(q(rows, "bemotande")).toMatchObject({
      targetMet: true,
      targets: [{ metric: "mean", threshold: 4, validFrom: "2023-01-01", met: true }],
    });
    expect(q(rows, "kunskap")).toMatchObject({ targetMet: null, targets: [] });
    const p1 = await get("period=2025-P1&by=question");
    expect(q(p1.rows, "bemotande")).toMatchObject({
      mean: 3.5,
      targetMet: false,
      targets: [{ threshold: 4.3, validFrom: "2025-03-01", met: false }],
    });
  });

  it("the overall NKI pools all answered questions and meets the overall share target only at 0.75", async () => {
    const { rows } = await get("period=2025-W01");
    expect(rows).toHaveLength(1);
    expect(metricsOf(rows[0])).toEqual(expected(GOLDEN["2025-W01 overall"]));
    // Svarande, not svar: the citizens behind the pooled answers are the most any one question has.
    const perQuestion = (await get("period=2025-W01&by=question")).rows;
    expect(rows[0].respondents).toBe(Math.max(...perQuestion.map((r) => r.n as number)));
    expect(rows[0].respondents).toBeLessThan(rows[0].n);
    expect(rows[0]).toMatchObject({
      tooFew: false,
      targetMet: false,
      targets: [{ metric: "satisfiedShare", threshold: 0.75, met: false }],
    });
  });

  it("compares with the same ISO week a year earlier", async () => {
    const body = await get("period=2025-W01&by=question&compare=previous-year");
    expect(body.previousPeriod).toMatchObject({ label: "2024-W01", from: "2024-01-01", to: "2024-01-07" });
    expect(metricsOf(q(body.rows, "bemotande").previousYear)).toEqual(expected(GOLDEN["2024-W01 bemotande"]));
    expect(q(body.rows, "bemotande").previousYear.targetMet).toBe(false);
    const overall = await get("period=2025-W01&compare=previous-year");
    expect(metricsOf(overall.rows[0].previousYear)).toEqual(expected(GOLDEN["2024-W01 overall"]));
  });

  it("tertials split exactly at local midnight on New Year's Eve", async () => {
    const p3 = await get("period=2024-P3&by=question");
    expect(metricsOf(q(p3.rows, "bemotande"))).toEqual(expected(GOLDEN["2024-P3 bemotande"]));
    const p1 = await get("period=2025-P1&by=question&compare=previous-year");
    expect(metricsOf(q(p1.rows, "bemotande"))).toEqual(expected(GOLDEN["2025-P1 bemotande"]));
    expect(metricsOf(q(p1.rows, "kunskap"))).toEqual(expected(GOLDEN["2025-P1 kunskap"]));
    expect(metricsOf(q(p1.rows, "bemotande").previousYear)).toEqual(expected(GOLDEN["2024-W01 bemotande"]));
    const overall = await get("period=2025-P1");
    expect(metricsOf(overall.rows[0])).toEqual(expected(GOLDEN["2025-P1 overall"]));
  });

  it("counts the 23-hour and 25-hour DST days of 2025 by local calendar day", async () => {
    const spring = await get("period=2025-03-30&by=question");
    expect(metricsOf(q(spring.rows, "bemotande"))).toEqual(expected(GOLDEN["2025-03-30 bemotande"]));
    expect(q((await get("period=2025-03-29&by=question")).rows, "bemotande").n).toBe(1);
    expect(q((await get("period=2025-03-31&by=question")).rows, "bemotande").n).toBe(1);
    const autumn = await get("period=2025-10-26&by=question");
    expect(metricsOf(q(autumn.rows, "kunskap"))).toEqual(expected(GOLDEN["2025-10-26 kunskap"]));
    expect(q((await get("period=2025-10-25&by=question")).rows, "kunskap").n).toBe(1);
    expect(q((await get("period=2025-10-27&by=question")).rows, "kunskap").n).toBe(1);
  });

  it("a from/to range over the same days gives the same result as the named week", async () => {
    const named = await get("period=2025-W01&by=question");
    const range = await get("from=2024-12-30&to=2025-01-05&by=question");
    expect(range.rows).toEqual(named.rows);
  });

  it("per svarsgrupp, a group under the minimum is flagged too few and not judged", async () => {
    const { rows } = await get("period=2025-W01&by=group");
    expect(rows.map((r) => r.groupKey)).toEqual(["val1", "val2"]);
    expect(metricsOf(rows[0])).toEqual(expected(GOLDEN["2025-W01 val1 overall"]));
    expect(rows[0]).toMatchObject({ groupName: "Val 1 – Socialt stöd, vård och omsorg", tooFew: false });
    expect(rows[1]).toMatchObject({ n: 2, mean: 5, tooFew: true, targetMet: null });
  });

  it("an agent's rows carry their svarsgrupp and the whole kundcenter for comparison", async () => {
    const { rows } = await get("period=2025-W01&agent=g-101&by=question");
    const bem = q(rows, "bemotande");
    expect(bem).toMatchObject({ agentExternalId: "g-101" });
    expect(bem.agentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(metricsOf(bem)).toEqual(expected(GOLDEN["2025-W01 g-101 bemotande"]));
    expect(bem.group).toMatchObject({ groupKey: "val1", ...expected(GOLDEN["2025-W01 val1 bemotande"]) });
    expect(metricsOf(bem.organization)).toEqual(expected(GOLDEN["2025-W01 bemotande"]));
    const overall = await get(`period=2025-W01&agent=${bem.agentId}`);
    expect(metricsOf(overall.rows[0])).toEqual(expected(GOLDEN["2025-W01 g-101 overall"]));
  });

  it("benchmarks against other municipalities only where at least three qualify, revealing none of their groups or agents", async () => {
    const body = await get("period=2025-W01&by=question&compare=benchmark");
    const bem = q(body.rows, "bemotande").benchmark;
    expect(bem.organizations).toBe(3);
    expect(metricsOf(bem)).toEqual(expected(GOLDEN["benchmark 2025-W01 bemotande"]));
    expect(q(body.rows, "kunskap").benchmark).toBeNull();
    const overall = await get("period=2025-W01&compare=benchmark");
    expect(metricsOf(overall.rows[0].benchmark)).toEqual(expected(GOLDEN["benchmark 2025-W01 overall"]));
    const text = JSON.stringify([body, overall]);
    expect(text).not.toMatch(/secret|Hemlig|other-/);
  });

  it("exact=true returns the unrounded values", async () => {
    const { rows } = await get("period=2025-P1&by=question&exact=true");
    for (const [name, key] of [
      ["2025-P1 bemotande", "bemotande"],
      ["2025-P1 kunskap", "kunskap"],
    ] as const) {
      const g = GOLDEN[name].exact;
      const r = q(rows, key);
      expect(r.mean).toBeCloseTo(g.mean, 12);
      expect(r.ci95.mean.low).toBeCloseTo(g.meanLow!, 12);
      expect(r.ci95.mean.high).toBeCloseTo(g.meanHigh!, 12);
      expect(r.ci95.satisfiedShare.low).toBeCloseTo(g.shareLow, 12);
      expect(r.ci95.satisfiedShare.high).toBeCloseTo(g.shareHigh, 12);
    }
  });

  it("format=csv gives a header and one line per row with the same numbers", async () => {
    const res = await fetch(`${app.url}/api/v1/results?period=2025-W01&by=question&compare=previous-year&format=csv`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const [header, ...lines] = (await res.text()).trimEnd().split("\r\n");
    const cols = header.split(",");
    expect(cols.slice(0, 5)).toEqual(["questionKey", "n", "respondents", "mean", "distribution.1"]);
    expect(cols).toEqual(
      expect.arrayContaining([
        "ci95.mean.low",
        "ci95.satisfiedShare.high",
        "targetMet",
        "previousYear.mean",
        "change.difference",
        "change.significant",
      ]),
    );
    expect(cols).not.toContain("targets");
    const bem = Object.fromEntries(lines[0].split(",").map((v, i) => [cols[i], v]));
    expect(bem).toMatchObject({
      questionKey: "bemotande",
      n: "6",
      respondents: "6",
      mean: "4",
      "ci95.mean.low": "2.67",
      satisfiedShare: "0.667",
      "previousYear.mean": "3.67",
    });
  });
});
