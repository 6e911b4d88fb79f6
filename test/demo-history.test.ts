import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfillHistory, COACHED, SUMMER_DIP, type BackfillResult } from "../src/demo/history.js";
import { startNeighbours, type RunningNeighbours } from "../src/demo/neighbours.js";
import { queryFunnel } from "../src/results/funnel.js";
import { rebuildRollups } from "../src/results/rollup.js";
import { queryResults, type ResultsInput } from "../src/results/service.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/** The demo's first start: a year and more of history, and three neighbours publishing through the exchange. */
describe("demo history on first start", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let first: BackfillResult;
  let neighbours: RunningNeighbours;
  const NOW = "2026-12-03T10:00:00Z";

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW });
    const flow = ctx.flows.getFlow("nki-sv");
    first = await backfillHistory(db.prisma, {
      organizationId: ctx.organizationId,
      timeZone: "Europe/Stockholm",
      now: ctx.now(),
      flowId: flow.id,
      flowVersion: flow.version,
    });
    neighbours = await startNeighbours(
      { prisma: db.prisma, logger: ctx.logger, now: ctx.now, pullTimeoutMs: 10_000 },
      { dataDir: ctx.config.DATA_DIR, fromMonth: first.range.from },
    );
  }, 600_000);
  afterAll(async () => {
    await neighbours?.stop();
    await db?.close();
  });

  const results = (input: Omit<ResultsInput, "organizationId">) =>
    queryResults(
      ctx,
      { kind: "apiKey", organizationId: ctx.organizationId },
      { organizationId: ctx.organizationId, ...input },
    );

  it("covers last year's same tertial to yesterday, with seed 003's volumes, and is added only once", async () => {
    expect(first).toMatchObject({ added: true, range: { from: "2025-09-01", to: "2026-12-02" } });
    const funnel = await queryFunnel(
      ctx,
      { kind: "apiKey", organizationId: ctx.organizationId },
      {
        organizationId: ctx.organizationId,
        period: "2026-P1",
      },
    );
    // About 51,500 answered calls a tertial; P1 (January–April) runs a little above the average.
    const calls = funnel.rows[0].completedCalls;
    expect(calls).toBeGreaterThan(45_000);
    expect(calls).toBeLessThan(65_000);
    const again = await backfillHistory(db.prisma, {
      organizationId: ctx.organizationId,
      timeZone: "Europe/Stockholm",
      now: ctx.now(),
      flowId: "nki-sv",
      flowVersion: "x",
    });
    expect(again.added).toBe(false);
    expect(await db.prisma.completedCall.count()).toBe(first.calls);
    expect(await db.prisma.answer.count()).toBe(first.answers);
    // No numbers at all: every history survey is final, as if its number had been erased.
    expect(
      await db.prisma.completedCall.count({
        where: { OR: [{ callerNumberEnc: { not: null } }, { callerHash: { not: null } }] },
      }),
    ).toBe(0);
  });

  it("has the SMS fallback in past periods: SMS sent, links opened, web answers, about 18 % of those sent answering", async () => {
    const viewer = { kind: "apiKey" as const, organizationId: ctx.organizationId };
    const f = (await queryFunnel(ctx, viewer, { organizationId: ctx.organizationId, period: "2026-P2" })).rows[0];
    // A third of the surveys (unanswered or a machine) get their SMS, a few of them never sent.
    expect(f.smsSent / f.sampled).toBeGreaterThan(0.28);
    expect(f.smsSent / f.sampled).toBeLessThan(0.38);
    expect(f.linkOpened / f.smsSent).toBeGreaterThan(0.25);
    expect(f.linkOpened / f.smsSent).toBeLessThan(0.35);
    expect(f.answeredOnWeb / f.smsSent).toBeGreaterThan(0.15);
    expect(f.answeredOnWeb / f.smsSent).toBeLessThan(0.21);
    expect(f.completedOnWeb).toBeLessThan(f.answeredOnWeb);
    expect(f.responseRateAllChannels).toBeGreaterThan(f.responseRateOfSampled!);
    expect(first.sms).toBeGreaterThan(5_000);
    // The channel split of a past week has web answers, a little below the phone's.
    const web = (await results({ period: "2026-W20", channel: "web" })).rows[0];
    const phone = (await results({ period: "2026-W20", channel: "phone" })).rows[0];
    expect(web.respondents).toBeGreaterThan(10);
    expect(web.channels).toBe("web");
    expect(phone.mean! - web.mean!).toBeGreaterThan(0);
    // Every SMS-ed survey went unanswered or to a machine; none has a number left.
    const wrong = await db.prisma.surveySms.count({
      where: { organizationId: ctx.organizationId, survey: { state: { notIn: ["no_answer", "machine"] } } },
    });
    expect(wrong).toBe(0);
  });

  it("fills last year's tertial, the previous tertial and the weeks of a trend", async () => {
    const current = await results({ period: "2026-P3", compare: ["previous-year"] });
    expect(current.rows[0].n).toBeGreaterThan(1_000);
    expect(current.rows[0].previousYear?.n).toBeGreaterThan(1_000);
    const previous = await results({ period: "2026-P2", by: ["question"] });
    expect(previous.rows).toHaveLength(7);
    for (const r of previous.rows) expect(r.n).toBeGreaterThan(100);
    for (let w = 36; w <= 48; w++) expect((await results({ period: `2026-W${w}` })).rows[0].n).toBeGreaterThan(50);
  });

  it("one svarsgrupp's answer-time score dips in the summer; the coached agent improves", async () => {
    const svarstid = async (period: string) =>
      (await results({ period, group: SUMMER_DIP.group, by: ["question"], exact: true })).rows.find(
        (r) => r.questionKey === "svarstid",
      )!.mean!;
    expect((await svarstid("2026-03")) - (await svarstid("2026-07"))).toBeGreaterThan(0.2);
    const bemotande = async (period: string) =>
      (await results({ period, agent: COACHED.externalId, by: ["question"], exact: true })).rows.find(
        (r) => r.questionKey === "bemotande",
      )!.mean!;
    expect((await bemotande("2026-10")) - (await bemotande("2026-03"))).toBeGreaterThan(0.3);
  });

  it("the neighbours publish through the exchange and the kundcenter's comparisons pool all three", async () => {
    expect(neighbours.pulled.map((p) => p.ok)).toEqual([true, true, true]);
    const res = await results({ period: "2026-P2", compare: ["benchmark"] });
    expect(res.otherSources?.exchange.figures.overall).toMatchObject({ municipalities: 3 });
    expect(res.otherSources!.exchange.figures.overall!.respondents).toBeGreaterThan(3 * 100);
  });

  it("the rollups equal a rebuild from the raw answers", async () => {
    // Keyed by channel too: a day of one agent and question has a phone row and a web row.
    const snapshot = () =>
      db.prisma.$queryRawUnsafe<{ t: string; h: string }[]>(`
        SELECT 'daily' AS t, md5(string_agg(concat_ws(',', "organizationId", day, "groupId", "agentId", "questionKey", channel, n, sum, "sumSq", c1, c2, c3, c4, c5), ';' ORDER BY "organizationId", day, "groupId", "agentId", "questionKey", channel)) AS h FROM "AnswerDaily"
        UNION ALL SELECT 'monthly', md5(string_agg(concat_ws(',', "organizationId", month, "groupId", "agentId", "questionKey", channel, n, c1, c2, c3, c4, c5), ';' ORDER BY "organizationId", month, "groupId", "agentId", "questionKey", channel)) FROM "AnswerMonthly"
        UNION ALL SELECT 'orgDaily', md5(string_agg(concat_ws(',', "organizationId", day, "questionKey", channel, n, c1, c2, c3, c4, c5), ';' ORDER BY "organizationId", day, "questionKey", channel)) FROM "AnswerOrgDaily"
        UNION ALL SELECT 'orgMonthly', md5(string_agg(concat_ws(',', "organizationId", month, "questionKey", channel, n, c1, c2, c3, c4, c5), ';' ORDER BY "organizationId", month, "questionKey", channel)) FROM "AnswerOrgMonthly"`);
    const before = await snapshot();
    expect(before.every((r) => r.h !== null)).toBe(true);
    await rebuildRollups(db.prisma);
    expect(await snapshot()).toEqual(before);
  });
});
