import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { makeGroup, makeUser } from "./browser/web-client.js";
import { storeAnswers } from "./browser/factories.js";
import { queryResults, type ResultsInput } from "../src/results/service.js";

/**
 * Question 7 (rekommendera) is asked and reported on its own, but NKI totalt
 * leaves it out by default; an organization may count it in.
 */
describe("NKI totalt without question 7 by default", () => {
  let db: TestDatabase;
  let ctx: TestContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-03-04T10:00:00Z", settings: { minAnswersForResult: 1 } });
    const g = await makeGroup(ctx, "val1", "Val 1");
    const a = await makeUser(ctx, "agent", { name: "Kim Testsson", agentExternalId: "kim-01" });
    for (const scores of [
      { bemotande: 5, kunskap: 4, rekommendera: 1 },
      { bemotande: 4, kunskap: 5, rekommendera: 1 },
    ])
      await storeAnswers(ctx, {
        organizationId: ctx.organizationId,
        groupId: g.id,
        agentId: a.agent!.id,
        at: new Date("2026-03-03T09:00:00Z"),
        scores,
        publish: false,
      });
  });
  afterAll(async () => {
    await db?.close();
  });

  const results = (input: Omit<ResultsInput, "organizationId">) =>
    queryResults(
      ctx,
      { kind: "apiKey", organizationId: ctx.organizationId },
      { organizationId: ctx.organizationId, ...input },
    );

  it("computes NKI totalt from the other questions, and still shows question 7 on its own", async () => {
    const total = await results({ from: "2026-03-01", to: "2026-03-31", exact: true });
    expect(total.rows[0]).toMatchObject({ n: 4, mean: 4.5 });
    const byQ = await results({ from: "2026-03-01", to: "2026-03-31", by: ["question"], exact: true });
    expect(byQ.rows.find((r) => r.questionKey === "rekommendera")).toMatchObject({ n: 2, mean: 1 });
  });

  it("counts question 7 in when the organization says so", async () => {
    await db.prisma.organization.update({
      where: { id: ctx.organizationId },
      data: { settings: { minAnswersForResult: 1, nkiDefinition: { kind: "all-questions", exclude: [] } } },
    });
    const total = await results({ from: "2026-03-01", to: "2026-03-31", exact: true });
    expect(total.rows[0]).toMatchObject({ n: 6, mean: 20 / 6 });
  });
});
