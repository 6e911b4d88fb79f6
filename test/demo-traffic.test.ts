import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo } from "../src/demo/index.js";
import type { DemoTraffic } from "../src/demo/traffic.js";
import { getOrganization } from "../src/organizations/service.js";
import type { CallSummary, Persona } from "../src/telephony/simulator/index.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";

/**
 * The demo generator against the real intake API and database, with a
 * stand-in for the simulator's citizen registry and call-ended events.
 */
describe("demo traffic", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let demo: DemoTraffic;
  const registered = new Map<string, Persona>();
  let callEnded: ((s: CallSummary) => void) | undefined;

  const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 15_000) => {
    const until = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > until) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      env: { DEMO_CALLS_PER_MINUTE: "300" },
      settings: { callingHours: "always", skipPublicHolidays: false },
    });
    app = await startTestApp(ctx);
    demo = await startDemo(ctx, {
      organizationId: ctx.organizationId,
      serviceUrl: app.url,
      dataDir: ctx.config.DATA_DIR,
      simulator: {
        registerCitizen: (n, p) => registered.set(n, p),
        onCallEnded: (l) => {
          callEnded = l;
          return () => (callEnded = undefined);
        },
      },
      tuning: { seed: 42, firstCallAfterMs: 10, readBackAfterMs: 10, summaryEveryMs: 60_000 },
    });
    await waitFor(() => demo.stats.posted >= 6);
  });
  afterAll(async () => {
    await demo?.stop();
    await app?.close();
    await db?.close();
  });

  it("posts invented completed calls through the intake API, which stores and decides them", async () => {
    const rows = await db.prisma.completedCall.findMany({
      where: { organizationId: ctx.organizationId },
      select: {
        externalCallId: true,
        decision: true,
        skipReason: true,
        agent: { select: { externalId: true, name: true } },
        group: { select: { key: true, name: true } },
      },
    });
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((r) => r.externalCallId.startsWith("demo-"))).toBe(true);
    expect(rows.every((r) => /^demo-agent-\d{2}$/.test(r.agent.externalId) && r.agent.name)).toBe(true);
    expect(rows.some((r) => r.group.name.startsWith("Val "))).toBe(true);
    expect(rows.filter((r) => r.decision === "scheduled").length).toBeGreaterThan(0);
    for (const r of rows.filter((x) => x.decision === "skipped"))
      expect(["short_call", "hidden_number"]).toContain(r.skipReason);
    expect(demo.stats.postErrors).toBe(0);
    expect(ctx.logs.some((l) => String(l.message).startsWith("demo traffic: first calls posted"))).toBe(true);
  });

  it("uses its own intake key and sets the repeat window to 0 while it runs", async () => {
    expect(await db.prisma.apiKey.count({ where: { organizationId: ctx.organizationId, name: "demo traffic" } })).toBe(
      1,
    );
    expect((await getOrganization(db.prisma, ctx.organizationId)).settings.repeatWindowDays).toBe(0);
    expect(ctx.logs.some((l) => String(l.message).includes("repeatWindowDays set to 0"))).toBe(true);
  });

  it("registers each scheduled caller's persona with the simulator, with the call's score tendencies", async () => {
    expect(registered.size).toBeGreaterThan(0);
    for (const [number, persona] of registered) {
      expect(number).toMatch(/^\+46(7017406\d\d|846500[4]\d\d|313900[6]\d\d|406280[4]\d\d|9803192\d\d)$/);
      expect(Object.keys(persona.scoreMeans)).toEqual(
        expect.arrayContaining(["svarstid", "bemotande", "rekommendera"]),
      );
    }
  });

  it("reads a finished survey back through the API and logs its scores with the number masked", async () => {
    const survey = await db.prisma.surveyCall.findFirstOrThrow({
      where: { organizationId: ctx.organizationId },
      select: { id: true, groupId: true, agentId: true, flowId: true },
    });
    await db.prisma.surveyCall.update({ where: { id: survey.id }, data: { state: "completed", attempts: 1 } });
    await db.prisma.answer.create({
      data: {
        surveyId: survey.id,
        organizationId: ctx.organizationId,
        groupId: survey.groupId,
        agentId: survey.agentId,
        flowId: survey.flowId,
        flowVersion: "t",
        questionKey: "bemotande",
        score: 5,
        answeredAt: new Date(),
      },
    });
    // The database keeps numbers encrypted; every registered caller "hangs up", and only this survey is finished.
    for (const n of registered.keys()) {
      callEnded!({
        callSid: "CA" + "1".repeat(32),
        to: n,
        status: "completed",
        answeredBy: "human",
        durationSeconds: 60,
        answers: [],
        recording: null,
        endedBy: "application",
      });
    }
    await waitFor(() => ctx.logs.some((l) => l.message === "demo survey finished"));
    const line = ctx.logs.find((l) => l.message === "demo survey finished")!;
    // At debug: the info log gets one summary a minute, not a line a call.
    expect(line).toMatchObject({
      level: "debug",
      state: "completed",
      scores: { bemotande: 5 },
      callStatus: "completed",
    });
    expect(String(line.caller)).toMatch(/^\+46\d\d\*+\d\d$/);
    expect(JSON.stringify(ctx.logs)).not.toMatch(/\+467017406\d\d/);
    expect(demo.stats.surveys.completed).toBe(1);
    expect(demo.stats.answers).toBe(1);
  });

  it("restores the repeat window when it stops", async () => {
    await demo.stop();
    expect((await getOrganization(db.prisma, ctx.organizationId)).settings.repeatWindowDays).toBe(30);
  });
});
