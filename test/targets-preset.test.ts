import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { ensureOrganization } from "../src/organizations/service.js";

describe("preset targets for a new organization", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("gives a new organization the source documents' targets once, and never brings deleted ones back", async () => {
    const input = {
      slug: "preset-kommun",
      name: "Presetkommun",
      timeZone: "Europe/Stockholm",
      presetTargetsFrom: "2025-09-01",
    };
    const org = await ensureOrganization(db.prisma, input);
    const rows = await db.prisma.target.findMany({
      where: { organizationId: org.id },
      orderBy: { questionKey: "asc" },
    });
    expect(
      rows.map((t) => [t.questionKey, t.metric, t.threshold, t.upper, t.validFrom.toISOString().slice(0, 10)]),
    ).toEqual([
      ["bemotande", "mean", 4.3, null, "2025-09-01"],
      ["kunskap", "mean", 4.0, null, "2025-09-01"],
      ["overall", "satisfiedShare", 0.75, 0.8, "2025-09-01"],
    ]);
    await db.prisma.target.deleteMany({ where: { organizationId: org.id } });
    await ensureOrganization(db.prisma, input);
    expect(await db.prisma.target.count({ where: { organizationId: org.id } })).toBe(0);
  });
});
