import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextLinesFor, importPublishedFigures, validatePublished } from "../src/exchange/published.js";
import { parsePeriod } from "../src/results/periods.js";
import { queryResults } from "../src/results/service.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/** Invented municipalities and figures in the shape of SKR's servicemätning (indices 0–100 per year). */
const GOOD_CSV = `municipality;year;measure;value;n;source;method
Norrby kommun;2025;bemotande-index;78,5;412;Servicemätning 2025 (påhittad);Testsamtal och enkät, index 0–100
Norrby kommun;2025;enkelhet-index;71;412;Servicemätning 2025 (påhittad);Testsamtal och enkät, index 0–100
Sunnaviks kommun;2025;bemotande-index;81.2;;Servicemätning 2025 (påhittad);Testsamtal och enkät, index 0–100
`;

describe("figures published elsewhere", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-02-01T10:00:00Z" });
  });
  afterAll(async () => db?.close());

  it("names line, field and reason for every bad row, and imports nothing when any row is bad", async () => {
    const bad = `${GOOD_CSV}Västmo kommun;2025;bemotande-index;hög;12;Servicemätning;Index
;2025-P4;enkelhet-index;70;-3;Servicemätning;Index
Norrby kommun;2025;bemotande-index;79;400;Servicemätning 2025 (påhittad);Testsamtal och enkät, index 0–100
`;
    const { errors } = validatePublished({ csv: bad });
    expect(errors).toEqual([
      { line: 5, field: "value", reason: "expected a number" },
      { line: 6, field: "municipality", reason: "required" },
      { line: 6, field: "period", reason: expect.stringContaining("expected a year") },
      { line: 6, field: "n", reason: "must be 0 or more" },
      { line: 7, field: "measure", reason: "the same municipality, period, measure and source as line 2" },
    ]);
    await expect(importPublishedFigures(db.prisma, { csv: bad }, ctx.now())).rejects.toMatchObject({
      code: "validation_failed",
      details: expect.arrayContaining([expect.objectContaining({ field: "line 5: value", line: 5 })]),
    });
    expect(await db.prisma.publishedFigure.count()).toBe(0);
  });

  it("refuses a file without the required columns", () => {
    expect(() => validatePublished({ csv: "municipality,value\nNorrby,3\n" })).toThrow(
      /Missing column\(s\): period, measure, source, method/,
    );
  });

  it("imports CSV (Swedish decimal commas, year for period) and JSON, updating a figure imported again", async () => {
    expect(await importPublishedFigures(db.prisma, { csv: GOOD_CSV }, ctx.now())).toEqual({ imported: 3 });
    const json = [
      {
        municipality: "Norrby kommun",
        year: 2025,
        measure: "bemotande-index",
        value: 79,
        n: 420,
        source: "Servicemätning 2025 (påhittad)",
        method: "Testsamtal och enkät, index 0–100",
      },
      {
        municipality: "Norrby kommun",
        period: "2026-P1",
        measure: "nki-index",
        value: 70,
        source: "Egen mätning",
        method: "Webbenkät",
      },
    ];
    expect(await importPublishedFigures(db.prisma, { rows: json }, ctx.now())).toEqual({ imported: 2 });
    const lines = await contextLinesFor(db.prisma, parsePeriod("2025-P2"));
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.municipality === "Norrby kommun" && l.measure === "bemotande-index")).toEqual({
      municipality: "Norrby kommun",
      period: "2025",
      measure: "bemotande-index",
      value: 79,
      n: 420,
      source: "Servicemätning 2025 (påhittad)",
      method: "Testsamtal och enkät, index 0–100",
      comparable: false,
    });
    expect(lines.find((l) => l.municipality === "Sunnaviks kommun")?.n).toBeNull();
  });

  it("the results show them as context lines of another method, never pooled into the benchmark", async () => {
    const res = await queryResults(
      ctx,
      { kind: "apiKey", organizationId: ctx.organizationId },
      {
        organizationId: ctx.organizationId,
        period: "2025",
        compare: ["benchmark"],
      },
    );
    expect(res.rows[0].benchmark).toBeNull();
    expect(res.otherSources?.published.lines.map((l) => [l.municipality, l.measure, l.comparable])).toEqual([
      ["Norrby kommun", "bemotande-index", false],
      ["Sunnaviks kommun", "bemotande-index", false],
      ["Norrby kommun", "enkelhet-index", false],
    ]);
    expect(res.otherSources?.exchange).toMatchObject({ unavailable: "no-peers" });
  });
});
