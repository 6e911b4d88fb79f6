import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAgent, ensureGroup } from "../src/organizations/service.js";
import { insertAnswerWithRollup, rebuildRollups } from "../src/results/rollup.js";
import { loadGolden } from "./fixtures/golden-load.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const TABLES = ["AnswerDaily", "AnswerMonthly", "AnswerOrgDaily", "AnswerOrgMonthly"] as const;

async function snapshot(db: TestDatabase) {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t] = await db.prisma.$queryRawUnsafe(`SELECT * FROM "${t}" ORDER BY 1, 2, 3, 4${t.includes("Org") ? "" : ", 5"}`);
  }
  return out;
}

describe("rollup maintenance", () => {
  let db: TestDatabase;
  let ctx: TestContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
    await loadGolden(db.prisma, ctx.organizationId);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answers added one by one give exactly the rollups a rebuild from the raw answers gives", async () => {
    const incremental = await snapshot(db);
    expect(incremental.AnswerOrgMonthly!.length).toBeGreaterThan(0);
    await rebuildRollups(db.prisma);
    expect(await snapshot(db)).toEqual(incremental);
  });

  it("puts a DST-day answer on the organization's local day and month in every rollup", async () => {
    const [row] = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT n FROM "AnswerOrgDaily" WHERE "organizationId" = ${ctx.organizationId}::uuid AND day = '2025-03-30' AND "questionKey" = 'bemotande'`;
    expect(row!.n).toBe(3);
    const [month] = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT n FROM "AnswerOrgMonthly" WHERE "organizationId" = ${ctx.organizationId}::uuid AND month = '2025-03-01' AND "questionKey" = 'bemotande'`;
    expect(month!.n).toBe(5); // D1 (29th), D2–D4 (30th), D5 (31st): all March
  });

  it("insertAnswerWithRollup stores the answer and all four rollups in one statement, and a replay changes nothing", async () => {
    const group = await ensureGroup(db.prisma, ctx.organizationId, "val9", "Val 9");
    const agent = await ensureAgent(db.prisma, ctx.organizationId, "r-1");
    const cc = await db.prisma.completedCall.create({
      data: { organizationId: ctx.organizationId, externalCallId: "r-call", agentId: agent.id, groupId: group.id, queueSeconds: 1, talkSeconds: 60, startedAt: new Date(), endedAt: new Date(), decision: "scheduled" },
    });
    const survey = await db.prisma.surveyCall.create({
      data: { organizationId: ctx.organizationId, completedCallId: cc.id, groupId: group.id, agentId: agent.id, expiresAt: new Date(), flowId: "nki-sv" },
    });
    const answer = {
      surveyId: survey.id, organizationId: ctx.organizationId, groupId: group.id, agentId: agent.id, flowId: "nki-sv", flowVersion: "1",
      questionKey: "kunskap", score: 4, answeredAt: new Date("2025-10-26T01:30:00Z"), timeZone: "Europe/Stockholm",
    };
    const id = await db.prisma.$transaction((tx) => insertAnswerWithRollup(tx, answer));
    expect(id).toMatch(/^\d+$/);
    expect(await db.prisma.answer.findUnique({ where: { id: BigInt(id!) }, select: { questionKey: true, score: true } })).toEqual({ questionKey: "kunskap", score: 4 });
    expect(await db.prisma.$transaction((tx) => insertAnswerWithRollup(tx, { ...answer, score: 1 }))).toBeNull();
    const daily = await db.prisma.answerDaily.findMany({ where: { agentId: agent.id } });
    expect(daily).toEqual([expect.objectContaining({ n: 1, sum: 4, sumSq: 16, c4: 1, c1: 0, day: new Date("2025-10-26T00:00:00Z") })]);
    expect(await db.prisma.answerMonthly.findMany({ where: { agentId: agent.id } })).toEqual([expect.objectContaining({ n: 1, c4: 1, month: new Date("2025-10-01T00:00:00Z") })]);
    const before = await snapshot(db);
    await rebuildRollups(db.prisma, ctx.organizationId);
    expect(await snapshot(db)).toEqual(before);
  });
});
