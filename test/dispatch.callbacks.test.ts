import { randomUUID } from "node:crypto";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { signedPost } from "./support/twilio.js";
import {
  CALLS_PATH,
  callPath,
  callResource,
  clearSurveys,
  createSurvey,
  events,
  sid,
  survey,
} from "./support/dispatch-fixtures.js";

const T0 = "2026-11-24T09:00:00Z"; // Tuesday 10:00 in Stockholm
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe("call outcomes from Twilio's status and answering-machine callbacks", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const twilio = () => nock("https://api.twilio.com");
  const status = (surveyId: string, callSid: string, callStatus: string, extra: Record<string, string> = {}) =>
    signedPost(
      app.url,
      `/twilio/status?surveyId=${surveyId}`,
      {
        AccountSid: ctx.twilioCredentials.accountSid,
        CallSid: callSid,
        CallStatus: callStatus,
        ApiVersion: "2010-04-01",
        Direction: "outbound-api",
        CallbackSource: "call-progress-events",
        Timestamp: new Date().toUTCString(),
        ...extra,
      },
      ctx,
    );
  const amd = (surveyId: string, callSid: string, answeredBy: string) =>
    signedPost(
      app.url,
      `/twilio/amd?surveyId=${surveyId}`,
      {
        AccountSid: ctx.twilioCredentials.accountSid,
        CallSid: callSid,
        AnsweredBy: answeredBy,
        MachineDetectionDuration: "2300",
      },
      ctx,
    );
  /** Dials one scheduled survey through the real dispatcher; returns its Call SID. */
  async function dial(): Promise<string> {
    const callSid = sid("CA");
    twilio().post(CALLS_PATH).reply(201, callResource(callSid, "+46700000000"));
    expect((await dispatchTick(ctx)).dialled).toBe(1);
    return callSid;
  }
  async function addAnswers(surveyId: string, n: number) {
    const s = await survey(ctx, surveyId);
    for (let i = 1; i <= n; i++) {
      await ctx.prisma.answer.create({
        data: {
          surveyId,
          organizationId: s.organizationId,
          groupId: s.groupId,
          agentId: s.agentId,
          flowId: "nki-sv",
          flowVersion: "1",
          questionKey: `q${i}`,
          score: 4,
          answeredAt: ctx.now(),
        },
      });
    }
  }

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      env: { DISPATCH_CALLS_PER_SECOND: "50" },
      now: T0,
      settings: { callingHours: "mon-fri 08:00-20:00" },
    });
    app = await startTestApp(ctx);
  });
  beforeEach(async () => {
    ctx.setNow(T0);
    await clearSurveys(ctx);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await app?.close();
    await db?.close();
  });

  it("no answer: retried once 15 minutes later, then final no_answer with every step timed", async () => {
    const s = await createSurvey(ctx);
    const first = await dial();
    const res = await status(s.id, first, "no-answer", { SequenceNumber: "2", CallDuration: "0" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(EMPTY_TWIML);
    expect(await survey(ctx, s.id)).toMatchObject({
      state: "scheduled",
      attempts: 1,
      outcome: "no_answer",
      nextAttemptAt: new Date("2026-11-24T09:15:00Z"),
    });

    ctx.setNow("2026-11-24T09:14:59Z");
    expect((await dispatchTick(ctx)).claimed).toBe(0);
    ctx.setNow("2026-11-24T09:15:00Z");
    const second = await dial();
    expect(second).not.toBe(first);
    ctx.setNow("2026-11-24T09:15:40Z");
    await status(s.id, second, "no-answer", { SequenceNumber: "2" });

    const after = await survey(ctx, s.id);
    expect(after).toMatchObject({
      state: "no_answer",
      attempts: 2,
      outcome: "no_answer",
      endedAt: new Date("2026-11-24T09:15:40Z"),
    });
    const trail = (await events(ctx, s.id))
      .filter((e) => e.toState)
      .map((e) => [e.at.toISOString(), e.fromState, e.toState]);
    expect(trail).toEqual([
      ["2026-11-24T09:00:00.000Z", "scheduled", "dialling"],
      ["2026-11-24T09:00:00.000Z", "dialling", "scheduled"],
      ["2026-11-24T09:15:00.000Z", "scheduled", "dialling"],
      ["2026-11-24T09:15:40.000Z", "dialling", "no_answer"],
    ]);
    expect(
      (await ctx.prisma.completedCall.findUniqueOrThrow({ where: { id: s.completedCallId } })).callerNumberEnc,
    ).toBeNull();
  });

  it("busy is retried like no answer, and recorded as busy", async () => {
    const s = await createSurvey(ctx);
    await status(s.id, await dial(), "busy");
    expect(await survey(ctx, s.id)).toMatchObject({
      state: "scheduled",
      outcome: "busy",
      nextAttemptAt: new Date("2026-11-24T09:15:00Z"),
    });
  });

  it("failed records Twilio's error code", async () => {
    const s = await createSurvey(ctx);
    await status(s.id, await dial(), "failed", {
      ErrorCode: "32009",
      ErrorMessage: "Your TwiML tried to do something",
    });
    expect(await survey(ctx, s.id)).toMatchObject({ state: "failed", outcome: "twilio_failed", errorCode: "32009" });
  });

  it("answering machine: hangs up with exactly one update request, leaves no message, ends as machine", async () => {
    const s = await createSurvey(ctx);
    const callSid = await dial();
    const bodies: unknown[] = [];
    twilio()
      .post(callPath(callSid), (b) => {
        bodies.push(b);
        return true;
      })
      .reply(200, callResource(callSid, "+46700000000", "completed"));
    expect((await amd(s.id, callSid, "machine_end_beep")).status).toBe(200);
    expect(bodies).toEqual([{ Status: "completed" }]);
    expect(await survey(ctx, s.id)).toMatchObject({
      state: "machine",
      answeredBy: "machine",
      outcome: "answering_machine",
    });
    // The completed status that follows, and a replayed AMD callback, change nothing and call nothing.
    await status(s.id, callSid, "completed");
    await amd(s.id, callSid, "machine_end_beep");
    expect((await survey(ctx, s.id)).state).toBe("machine");
  });

  it("a keypress before the machine verdict proved a human: no hang-up, the survey goes on", async () => {
    const s = await createSurvey(ctx, { state: "in_progress", callSid: sid("CA"), claimedAt: new Date(T0) });
    const callSid = (await survey(ctx, s.id)).callSid!;
    await ctx.prisma.surveyCall.update({ where: { id: s.id }, data: { answeredBy: "human" } });
    await amd(s.id, callSid, "machine_start"); // any request to Twilio would fail the test
    expect(await survey(ctx, s.id)).toMatchObject({ state: "in_progress", answeredBy: "human" });
    expect((await events(ctx, s.id)).find((e) => e.type === "amd-callback")?.detail).toMatchObject({
      answeredBy: "machine_start",
      kept: true,
    });
  });

  it("detection saying human or unknown is recorded", async () => {
    const s = await createSurvey(ctx);
    await amd(s.id, await dial(), "human");
    expect((await survey(ctx, s.id)).answeredBy).toBe("human");
  });

  it("completed arriving before answered: partial with the answers given, the late answered changes nothing", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "in_progress", callSid, claimedAt: new Date(T0) });
    await addAnswers(s.id, 3);
    await status(s.id, callSid, "completed", { SequenceNumber: "3", CallDuration: "64" });
    await status(s.id, callSid, "in-progress", { SequenceNumber: "2" });
    expect(await survey(ctx, s.id)).toMatchObject({ state: "partial", outcome: "hung_up" });
    expect(
      (await events(ctx, s.id))
        .filter((e) => e.type === "twilio-status")
        .map((e) => (e.detail as { callStatus: string }).callStatus),
    ).toEqual(["completed", "in-progress"]);
  });

  it("hung up before the first answer: final no_answer with its own outcome, not retried", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "in_progress", callSid, claimedAt: new Date(T0) });
    await status(s.id, callSid, "completed");
    expect(await survey(ctx, s.id)).toMatchObject({ state: "no_answer", outcome: "hung_up_before_first_answer" });
  });

  it("a survey the flow completed stays completed", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "completed", callSid, claimedAt: new Date(T0) });
    await status(s.id, callSid, "completed");
    expect((await survey(ctx, s.id)).state).toBe("completed");
  });

  it("replayed callbacks are recorded once and applied once", async () => {
    const s = await createSurvey(ctx);
    const callSid = await dial();
    for (let i = 0; i < 3; i++)
      expect((await status(s.id, callSid, "no-answer", { SequenceNumber: "2" })).status).toBe(200);
    const ev = await events(ctx, s.id);
    expect(ev.filter((e) => e.type === "twilio-status")).toHaveLength(1);
    expect(ev.filter((e) => e.toState === "scheduled")).toHaveLength(1);
    expect((await survey(ctx, s.id)).attempts).toBe(1);
  });

  it("callbacks for unknown surveys or another call: 200 with empty TwiML, a log line, nothing changed", async () => {
    const unknown = randomUUID();
    const res = await status(unknown, sid("CA"), "completed");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(EMPTY_TWIML);
    expect(
      ctx.logs.some((l) => l.message === "status callback for an unknown survey; ignored" && l.surveyId === unknown),
    ).toBe(true);

    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "in_progress", callSid, claimedAt: new Date(T0) });
    expect((await status(s.id, sid("CA"), "completed")).status).toBe(200);
    expect((await amd(s.id, sid("CA"), "machine_start")).status).toBe(200);
    expect((await survey(ctx, s.id)).state).toBe("in_progress");
    expect(ctx.logs.some((l) => l.message === "status callback for another call than the survey's; ignored")).toBe(
      true,
    );
  });

  it("invalid parameters are answered with TwiML and logged; an unsigned callback is refused", async () => {
    const s = await createSurvey(ctx);
    const bad = await signedPost(
      app.url,
      `/twilio/status?surveyId=${s.id}`,
      { CallSid: "nope", CallStatus: "completed" },
      ctx,
    );
    expect([bad.status, await bad.text()]).toEqual([200, EMPTY_TWIML]);
    expect(ctx.logs.some((l) => l.message === "status callback with invalid parameters; ignored")).toBe(true);
    const unsigned = await signedPost(
      app.url,
      `/twilio/status?surveyId=${s.id}`,
      { CallSid: sid("CA"), CallStatus: "completed" },
      ctx,
      { signature: null },
    );
    expect(unsigned.status).toBe(403);
  });

  it("a callback that beats the calls.create response brings the Call SID; an earlier attempt's SID is never adopted", async () => {
    const s = await createSurvey(ctx, { state: "dialling", claimedAt: new Date(T0) });
    const old = sid("CA");
    await ctx.prisma.surveyEvent.create({ data: { surveyId: s.id, at: new Date(T0), type: "dialled", callSid: old } });
    await status(s.id, old, "completed");
    expect(await survey(ctx, s.id)).toMatchObject({ state: "dialling", callSid: null });
    const current = sid("CA");
    await status(s.id, current, "ringing");
    expect(await survey(ctx, s.id)).toMatchObject({ state: "dialling", callSid: current });
  });
});
