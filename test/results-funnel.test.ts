import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/intake/api-keys.js";
import { ensureAgent, ensureGroup } from "../src/organizations/service.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

describe("survey funnel", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let key: string;
  let seq = 0;

  /** A completed call with its decision and, when scheduled, its survey in a given state. */
  async function call(o: {
    group: string;
    at: string;
    decision: "scheduled" | "skipped";
    skipReason?: string;
    survey?: {
      state: "scheduled" | "no_answer" | "machine" | "completed" | "partial";
      attempts: number;
      answeredBy?: string;
      voiceMessage?: boolean;
      /** The SMS fallback: "sent" counts in the funnel, "skipped" (e.g. opted out meanwhile) does not. */
      sms?: "sent" | "skipped";
    };
  }) {
    const group = await ensureGroup(db.prisma, ctx.organizationId, o.group);
    const agent = await ensureAgent(db.prisma, ctx.organizationId, "f-1");
    const at = new Date(o.at);
    const cc = await db.prisma.completedCall.create({
      data: {
        organizationId: ctx.organizationId,
        externalCallId: `f-${++seq}`,
        agentId: agent.id,
        groupId: group.id,
        queueSeconds: 40,
        talkSeconds: 90,
        startedAt: at,
        endedAt: at,
        decision: o.decision,
        skipReason: o.skipReason ?? null,
        receivedAt: at,
      },
    });
    if (!o.survey) return;
    const sc = await db.prisma.surveyCall.create({
      data: {
        organizationId: ctx.organizationId,
        completedCallId: cc.id,
        groupId: group.id,
        agentId: agent.id,
        state: o.survey.state,
        attempts: o.survey.attempts,
        answeredBy: o.survey.answeredBy ?? null,
        expiresAt: at,
        flowId: "nki-sv",
      },
    });
    if (o.survey.sms) {
      await db.prisma.surveySms.create({
        data: {
          surveyId: sc.id,
          organizationId: ctx.organizationId,
          state: o.survey.sms,
          dueAt: at,
          sentAt: o.survey.sms === "sent" ? at : null,
          reason: o.survey.sms === "skipped" ? "opted_out" : null,
        },
      });
    }
    if (o.survey.voiceMessage) {
      await db.prisma.voiceMessage.create({
        data: {
          surveyId: sc.id,
          organizationId: ctx.organizationId,
          groupId: group.id,
          agentId: agent.id,
          recordingSid: `RE${seq}`,
          state: "stored",
          durationSeconds: 12,
          recordedAt: at,
        },
      });
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
    key = (await createApiKey(db.prisma, ctx.organizationId, "funnel")).secret;
    // ISO week 2025-W10 = Mon 3 March – Sun 9 March 2025, Stockholm time (CET, UTC+1).
    await call({ group: "val1", at: "2025-03-02T23:30:00Z", decision: "skipped", skipReason: "short_call" }); // Mon 00:30 local: in
    await call({ group: "val1", at: "2025-03-02T22:30:00Z", decision: "skipped", skipReason: "short_call" }); // Sun 23:30 local: W09, out
    await call({ group: "val1", at: "2025-03-04T09:00:00Z", decision: "skipped", skipReason: "short_call" });
    await call({ group: "val1", at: "2025-03-04T09:05:00Z", decision: "skipped", skipReason: "hidden_number" });
    await call({ group: "val1", at: "2025-03-04T09:10:00Z", decision: "skipped", skipReason: "not_sampled" });
    await call({ group: "val1", at: "2025-03-04T09:15:00Z", decision: "skipped", skipReason: "not_sampled" });
    await call({
      group: "val1",
      at: "2025-03-05T10:00:00Z",
      decision: "scheduled",
      survey: { state: "scheduled", attempts: 0 },
    });
    await call({
      group: "val1",
      at: "2025-03-05T10:05:00Z",
      decision: "scheduled",
      survey: { state: "no_answer", attempts: 2, sms: "sent" },
    });
    await call({
      group: "val1",
      at: "2025-03-05T10:10:00Z",
      decision: "scheduled",
      survey: { state: "machine", attempts: 1, answeredBy: "machine", sms: "skipped" },
    });
    await call({
      group: "val1",
      at: "2025-03-05T10:15:00Z",
      decision: "scheduled",
      survey: { state: "completed", attempts: 1, answeredBy: "human" },
    });
    await call({
      group: "val1",
      at: "2025-03-05T10:20:00Z",
      decision: "scheduled",
      survey: { state: "partial", attempts: 1, answeredBy: "human", voiceMessage: true },
    });
    await call({
      group: "val2",
      at: "2025-03-09T22:30:00Z",
      decision: "scheduled",
      survey: { state: "completed", attempts: 1, answeredBy: "human" },
    }); // Sun 23:30 local: in
    await call({
      group: "val2",
      at: "2025-03-09T23:30:00Z",
      decision: "scheduled",
      survey: { state: "completed", attempts: 1, answeredBy: "human" },
    }); // Mon 10 Mar: out
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const get = async (q: string) => {
    const res = await fetch(`${app.url}/api/v1/results/funnel?${q}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return res.json();
  };

  it("counts each stage for the calls reported in the local week, with skip reasons and response rates", async () => {
    const { period, rows } = await get("period=2025-W10");
    expect(period).toMatchObject({ from: "2025-03-03", to: "2025-03-09" });
    expect(rows).toEqual([
      {
        completedCalls: 11,
        eligible: 8,
        sampled: 6,
        dialled: 5,
        reachedPerson: 3,
        completed: 2,
        partial: 1,
        voiceMessages: 1,
        smsSent: 1,
        linkOpened: 0,
        answeredOnWeb: 0,
        completedOnWeb: 0,
        responseRate: 0.6,
        responseRateOfSampled: 0.5,
        responseRateAllChannels: 0.5,
        skipReasons: { short_call: 2, hidden_number: 1, not_sampled: 2 },
        surveyStates: { scheduled: 1, no_answer: 1, machine: 1, completed: 2, partial: 1 },
      },
    ]);
  });

  it("splits per svarsgrupp and filters to one", async () => {
    const { rows } = await get("period=2025-W10&by=group");
    expect(rows.map((r: { groupKey: string; completedCalls: number }) => [r.groupKey, r.completedCalls])).toEqual([
      ["val1", 10],
      ["val2", 1],
    ]);
    const only = await get("period=2025-W10&group=val2");
    expect(only.rows).toHaveLength(1);
    expect(only.rows[0]).toMatchObject({ groupKey: "val2", completed: 1, responseRate: 1 });
    // Skip reasons and survey states are the group's own (read in the funnel's one statement).
    expect(rows.map((r: { skipReasons: object; surveyStates: object }) => [r.skipReasons, r.surveyStates])).toEqual([
      [
        { short_call: 2, hidden_number: 1, not_sampled: 2 },
        { scheduled: 1, no_answer: 1, machine: 1, completed: 1, partial: 1 },
      ],
      [{}, { completed: 1 }],
    ]);
  });

  it("an empty period has one zero row, and CSV is offered", async () => {
    expect((await get("period=2024-W10")).rows).toEqual([
      expect.objectContaining({ completedCalls: 0, responseRate: null }),
    ]);
    const res = await fetch(`${app.url}/api/v1/results/funnel?period=2025-W10&format=csv`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const text = await res.text();
    expect(text.split("\r\n")[0]).toContain(
      "completedCalls,eligible,sampled,dialled,reachedPerson,completed,partial,voiceMessages",
    );
    expect(text).toContain("skipReasons.short_call");
  });
});
