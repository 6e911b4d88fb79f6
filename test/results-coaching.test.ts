import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/auth/middleware.js";
import { ensureAgent, ensureGroup } from "../src/organizations/service.js";
import { findCoachingSignals } from "../src/results/coaching.js";
import { benjaminiHochberg, evaluateCoaching } from "../src/results/coaching-rules.js";
import type { Counts } from "../src/results/stats.js";
import { storeSurvey } from "./fixtures/golden-load.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

describe("coaching rules", () => {
  it("adjusts p-values with Benjamini–Hochberg (step-up, monotone)", () => {
    // sorted 0.005, 0.01, 0.03, 0.04 (m = 4): 0.02, 0.02, 0.04, 0.04
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.005])).toEqual([0.02, 0.04, 0.04, 0.02]);
  });

  it("never flags five unlucky answers, however bad", () => {
    const flags = evaluateCoaching(
      [
        {
          agentId: "a",
          groupId: "g",
          counts: new Map([["overall", [5, 0, 0, 0, 0] as Counts]]),
          groupRest: new Map([["overall", [0, 0, 10, 100, 200] as Counts]]),
        },
      ],
      { alpha: 0.05, minAnswers: 30, targets: [], windowEnd: "2025-06-01" },
    );
    expect(flags).toEqual([]);
  });

  it("flags a clear and large deficit against the rest of the group, with the evidence", () => {
    const weak: Counts = [6, 6, 12, 20, 16]; // n 60, mean 3.57
    const rest: Counts = [2, 3, 10, 60, 125]; // n 200, mean 903/200 = 4.515
    const [flag] = evaluateCoaching(
      [{ agentId: "a", groupId: "g", counts: new Map([["overall", weak]]), groupRest: new Map([["overall", rest]]) }],
      { alpha: 0.05, minAnswers: 30, targets: [], windowEnd: "2025-06-01" },
    );
    expect(flag).toMatchObject({ test: "below-group", n: 60, reference: { kind: "group", n: 200 } });
    expect(flag.difference).toBeCloseTo(214 / 60 - 903 / 200, 10);
    expect(flag.pValue).toBeLessThan(1e-6);
  });
});

describe("coaching signal over the rolling window", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let manager: SessionUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-06-01T10:00:00Z" });
    const val1 = await ensureGroup(db.prisma, ctx.organizationId, "val1", "Val 1");
    const val2 = await ensureGroup(db.prisma, ctx.organizationId, "val2", "Val 2");
    const agent = async (id: string) => (await ensureAgent(db.prisma, ctx.organizationId, id, `Agent ${id}`)).id;
    const [weak, good1, good2, unlucky] = [
      await agent("c-1"),
      await agent("c-2"),
      await agent("c-3"),
      await agent("c-4"),
    ];
    await db.prisma.target.create({
      data: {
        organizationId: ctx.organizationId,
        questionKey: "bemotande",
        metric: "mean",
        threshold: 4.3,
        validFrom: new Date("2025-01-01"),
      },
    });
    const store = async (agentId: string, groupId: string, scores: number[], day: number) => {
      for (const [i, s] of scores.entries()) {
        await storeSurvey(db.prisma, {
          organizationId: ctx.organizationId,
          groupId,
          agentId,
          at: new Date(Date.UTC(2025, 4, day, 8, i)),
          scores: { bemotande: s },
        });
      }
    };
    // Spread over May 2025, inside the 8-week window ending 1 June.
    for (let d = 1; d <= 10; d++) {
      await store(weak, val1.id, [3, 4, 3, 5, 2, 4], d); // mean 3.5
      await store(good1, val1.id, [5, 4, 5, 5, 4, 5], d); // mean 4.67
      await store(good2, val1.id, [4, 5, 5, 4, 5, 5], d);
    }
    await store(unlucky, val2.id, [1, 1, 1, 1, 1], 12);
    // An answer from before the window must not count.
    await store(weak, val1.id, [1, 1, 1], 1 - 60);
    manager = {
      id: "m",
      organizationId: ctx.organizationId,
      email: "m@example.test",
      name: "Chef",
      role: "manager",
      agentId: null,
    };
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it("flags the agent clearly below their group and the target, not the one with five unlucky answers", async () => {
    const report = await findCoachingSignals(
      ctx,
      { kind: "user", user: manager },
      { organizationId: ctx.organizationId },
    );
    expect(report.window).toEqual({ from: "2025-04-07", to: "2025-06-01", weeks: 8 }); // 56 days
    expect(report).toMatchObject({ agentsTested: 3, agentsTooFewAnswers: 1 });
    const weak = report.flags.filter((f) => f.agentExternalId === "c-1");
    expect(weak.map((f) => `${f.questionKey}:${f.test}`).sort()).toEqual([
      "bemotande:below-group",
      "bemotande:below-target",
      "overall:below-group",
    ]);
    const group = weak.find((f) => f.test === "below-group" && f.questionKey === "bemotande")!;
    expect(group).toMatchObject({
      n: 60,
      mean: 3.5,
      groupKey: "val1",
      reference: { kind: "group", n: 120, mean: 4.67 },
    });
    expect(group.adjustedPValue).toBeLessThan(0.05);
    expect(report.flags.some((f) => f.agentExternalId === "c-4")).toBe(false);
    expect(report.flags.some((f) => f.agentExternalId === "c-2" || f.agentExternalId === "c-3")).toBe(false);
  });

  it("is for managers only", async () => {
    const agentUser = { ...manager, role: "agent" as const, agentId: "x" };
    await expect(
      findCoachingSignals(ctx, { kind: "user", user: agentUser }, { organizationId: ctx.organizationId }),
    ).rejects.toMatchObject({ code: "forbidden" });
  });
});
