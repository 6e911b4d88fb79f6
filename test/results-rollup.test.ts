import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAgent, ensureGroup } from "../src/organizations/service.js";
import { flushAnswerInbox, rebuildRollups } from "../src/results/rollup.js";
import { insertAnswer } from "./support/answers.js";
import { sumCounts } from "../src/results/repository.js";
import { loadGolden } from "./fixtures/golden-load.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const TABLES = ["AnswerDaily", "AnswerMonthly", "AnswerOrgDaily", "AnswerOrgMonthly"] as const;

async function snapshot(db: TestDatabase) {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t] = await db.prisma.$queryRawUnsafe(
      `SELECT * FROM "${t}" ORDER BY 1, 2, 3, 4${t.includes("Org") ? "" : ", 5"}`,
    );
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
    // The golden load leaves half its answers in the inbox; the job folds the rest.
    expect(await flushAnswerInbox(db.prisma)).toBeGreaterThan(0);
    expect(await db.prisma.answerInbox.count()).toBe(0);
    const incremental = await snapshot(db);
    expect(incremental.AnswerOrgMonthly.length).toBeGreaterThan(0);
    await rebuildRollups(db.prisma);
    expect(await snapshot(db)).toEqual(incremental);
  });

  it("puts a DST-day answer on the organization's local day and month in every rollup", async () => {
    const [row] = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT n FROM "AnswerOrgDaily" WHERE "organizationId" = ${ctx.organizationId}::uuid AND day = '2025-03-30' AND "questionKey" = 'bemotande'`;
    expect(row.n).toBe(3);
    const [month] = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT n FROM "AnswerOrgMonthly" WHERE "organizationId" = ${ctx.organizationId}::uuid AND month = '2025-03-01' AND "questionKey" = 'bemotande'`;
    expect(month.n).toBe(5); // D1 (29th), D2–D4 (30th), D5 (31st): all March
  });

  async function newSurvey(key: string) {
    const group = await ensureGroup(db.prisma, ctx.organizationId, "val9", "Val 9");
    const agent = await ensureAgent(db.prisma, ctx.organizationId, `r-${key}`);
    const cc = await db.prisma.completedCall.create({
      data: {
        organizationId: ctx.organizationId,
        externalCallId: `r-call-${key}`,
        agentId: agent.id,
        groupId: group.id,
        queueSeconds: 1,
        talkSeconds: 60,
        startedAt: new Date(),
        endedAt: new Date(),
        decision: "scheduled",
      },
    });
    const survey = await db.prisma.surveyCall.create({
      data: {
        organizationId: ctx.organizationId,
        completedCallId: cc.id,
        groupId: group.id,
        agentId: agent.id,
        expiresAt: new Date(),
        flowId: "nki-sv",
      },
    });
    return { survey, group, agent };
  }
  const agentCounts = (agentId: string, from = "2025-01-01", to = "2025-12-31") =>
    sumCounts(db.prisma, { organizationId: ctx.organizationId, from, to, dims: ["question"], agentId });

  it("stores an answer with its inbox row on the local day in one statement; results count it before and after the inbox is folded in", async () => {
    const { survey, group, agent } = await newSurvey("1");
    const answer = {
      surveyId: survey.id,
      organizationId: ctx.organizationId,
      groupId: group.id,
      agentId: agent.id,
      flowId: "nki-sv",
      flowVersion: "1",
      questionKey: "kunskap",
      score: 4,
      answeredAt: new Date("2025-10-26T01:30:00Z"),
      timeZone: "Europe/Stockholm",
    };
    const id = await insertAnswer(db.prisma, answer);
    expect(id).toMatch(/^\d+$/);
    expect(
      await db.prisma.answer.findUnique({ where: { id: BigInt(id!) }, select: { questionKey: true, score: true } }),
    ).toEqual({ questionKey: "kunskap", score: 4 });
    // A replay (same survey and question) changes nothing, inbox included; also inside a transaction.
    expect(await db.prisma.$transaction((tx) => insertAnswer(tx, { ...answer, score: 1 }))).toBeNull();
    // 01:30 UTC on the night the clocks go back is 02:30 local on 26 October.
    expect(
      await db.prisma.answerInbox.findMany({
        where: { agentId: agent.id },
        select: { questionKey: true, score: true, day: true },
      }),
    ).toEqual([{ questionKey: "kunskap", score: 4, day: new Date("2025-10-26T00:00:00Z") }]);
    expect(await db.prisma.answerDaily.count({ where: { agentId: agent.id } })).toBe(0);
    const before = await agentCounts(agent.id);
    expect(before).toEqual([expect.objectContaining({ questionKey: "kunskap", counts: [0, 0, 0, 1, 0] })]);

    expect(await flushAnswerInbox(db.prisma)).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.answerInbox.count({ where: { agentId: agent.id } })).toBe(0);
    expect(await db.prisma.answerDaily.findMany({ where: { agentId: agent.id } })).toEqual([
      expect.objectContaining({ n: 1, sum: 4, sumSq: 16, c4: 1, c1: 0, day: new Date("2025-10-26T00:00:00Z") }),
    ]);
    expect(await db.prisma.answerMonthly.findMany({ where: { agentId: agent.id } })).toEqual([
      expect.objectContaining({ n: 1, c4: 1, month: new Date("2025-10-01T00:00:00Z") }),
    ]);
    expect(await agentCounts(agent.id)).toEqual(before);
  });

  it("folds a backlog in batches, several days of a month into one monthly row, and two flushes at once move each answer once", async () => {
    const { survey, group, agent } = await newSurvey("2");
    const keys = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
    // Seven answers on seven days of one month: a flush adds several days to the same monthly rows at once.
    for (const [i, questionKey] of keys.entries()) {
      await insertAnswer(db.prisma, {
        surveyId: survey.id,
        organizationId: ctx.organizationId,
        groupId: group.id,
        agentId: agent.id,
        flowId: "nki-sv",
        flowVersion: "1",
        questionKey,
        score: 1 + (i % 5),
        answeredAt: new Date(Date.UTC(2025, 10, 3 + i, 9)),
        timeZone: "Europe/Stockholm",
      });
    }
    const before = await agentCounts(agent.id);
    const novemberInRollups = async () =>
      (
        await db.prisma.$queryRaw<{ n: number }[]>`
        SELECT coalesce(sum(n), 0)::int AS n FROM "AnswerOrgMonthly" WHERE "organizationId" = ${ctx.organizationId}::uuid AND month = '2025-11-01'`
      )[0].n;
    const rolledBefore = await novemberInRollups();
    const moved = await Promise.all([
      flushAnswerInbox(db.prisma, 3),
      flushAnswerInbox(db.prisma, 3),
      flushAnswerInbox(db.prisma, 3),
    ]);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(7);
    expect(await db.prisma.answerInbox.count()).toBe(0);
    expect(await novemberInRollups()).toBe(rolledBefore + 7);
    expect(await agentCounts(agent.id)).toEqual(before);
    const incremental = await snapshot(db);
    await rebuildRollups(db.prisma, ctx.organizationId);
    expect(await snapshot(db)).toEqual(incremental);
  });
});
