import nock from "nock";
import twilioNode from "twilio";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { reconcileStale } from "../src/dispatch/reconcile.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import {
  CALLS_PATH,
  callResource,
  clearSurveys,
  createSurvey,
  events,
  sid,
  survey,
} from "./support/dispatch-fixtures.js";

describe("dispatcher: claiming and dialling", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  /**
   * One dispatch tick whose calls.create gives up after 300 ms, as the real client does after its timeout:
   * the tests of an unanswered create need the timeout to fire, not to last 2 s (other requests keep it).
   */
  const tickWithShortTimeout = async () => {
    const normal = ctx.twilio;
    const { accountSid, authToken } = ctx.twilioCredentials;
    ctx.twilio = twilioNode(accountSid, authToken, {
      httpClient: new twilioNode.RequestClient({ timeout: 300, keepAlive: false }),
      autoRetry: false,
    });
    try {
      return await dispatchTick(ctx);
    } finally {
      ctx.twilio = normal;
    }
  };
  const twilio = () => nock("https://api.twilio.com");

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      env: { DISPATCH_CALLS_PER_SECOND: "50" },
      now: "2026-11-24T09:00:00Z", // Tuesday 10:00 in Stockholm
      settings: { callingHours: "mon-fri 08:00-20:00", skipPublicHolidays: true },
    });
  });
  beforeEach(async () => {
    ctx.setNow("2026-11-24T09:00:00Z");
    await clearSurveys(ctx);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await db?.close();
  });

  it("claims a due survey and places exactly one call with every documented parameter", async () => {
    const s = await createSurvey(ctx, { number: "+46701110001" });
    const callSid = sid("CA");
    const bodies: Record<string, unknown>[] = [];
    twilio()
      .post(CALLS_PATH, (b) => {
        bodies.push(b);
        return true;
      })
      .basicAuth({ user: ctx.twilioCredentials.accountSid, pass: ctx.twilioCredentials.authToken })
      .reply(201, callResource(callSid, "+46701110001"));

    const r = await dispatchTick(ctx);

    expect(r).toMatchObject({ claimed: 1, dialled: 1 });
    const q = `surveyId=${s.id}`;
    expect(bodies).toEqual([
      {
        To: "+46701110001",
        From: "+46850000000",
        Url: `https://nki.example.test/twilio/voice?${q}&flow=nki-sv`,
        Method: "POST",
        StatusCallback: `https://nki.example.test/twilio/status?${q}#rc=3&rp=ct,rt,5xx`,
        StatusCallbackMethod: "POST",
        StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        MachineDetection: "Enable",
        AsyncAmd: "true",
        AsyncAmdStatusCallback: `https://nki.example.test/twilio/amd?${q}#rc=3&rp=ct,rt,5xx`,
        AsyncAmdStatusCallbackMethod: "POST",
        Timeout: "25",
        TimeLimit: "600",
      },
    ]);
    const after = await survey(ctx, s.id);
    expect(after).toMatchObject({ state: "dialling", attempts: 1, callSid, claimedBy: "test-instance" });
    expect((await events(ctx, s.id)).map((e) => [e.type, e.toState, e.callSid])).toEqual([
      ["claimed", "dialling", null],
      ["dialled", null, callSid],
    ]);
    expect(ctx.published).toContainEqual(
      expect.objectContaining({ type: "survey.state", surveyId: s.id, to: "dialling" }) as never,
    );
    // Logged with the number masked.
    const line = ctx.logs.find((l) => l.message === "survey call placed");
    expect(line).toMatchObject({ callSid, to: "+4670*****01" });
    expect(JSON.stringify(ctx.logs)).not.toContain("+46701110001");
  });

  it("leaves surveys that are not yet due alone, and a second tick does not dial the same survey again", async () => {
    await createSurvey(ctx, { nextAttemptAt: new Date("2026-11-24T09:05:00Z") });
    const due = await createSurvey(ctx);
    twilio()
      .post(CALLS_PATH)
      .once()
      .reply(201, callResource(sid("CA"), due.number));
    expect((await dispatchTick(ctx)).claimed).toBe(1);
    expect((await dispatchTick(ctx)).claimed).toBe(0);
  });

  it("Twilio 401: the survey fails with Twilio's error code and message, and is not retried", async () => {
    const s = await createSurvey(ctx);
    twilio().post(CALLS_PATH).reply(401, {
      code: 20003,
      message: "Authenticate",
      more_info: "https://www.twilio.com/docs/errors/20003",
      status: 401,
    });
    await dispatchTick(ctx);
    expect(await survey(ctx, s.id)).toMatchObject({
      state: "failed",
      errorCode: "20003",
      errorMessage: "Authenticate",
      outcome: "dial_rejected",
    });
    ctx.setNow("2026-11-24T10:00:00Z");
    expect((await dispatchTick(ctx)).claimed).toBe(0);
    // The number is erased once the survey is final.
    expect(
      (await ctx.prisma.completedCall.findUniqueOrThrow({ where: { id: s.completedCallId } })).callerNumberEnc,
    ).toBeNull();
  });

  it.each([
    [429, 20429, "Too Many Requests"],
    [500, 20500, "Internal Server Error"],
  ])(
    "Twilio %i: back to scheduled with backoff, attempt not counted, then dialled once it is due",
    async (status, code, message) => {
      const s = await createSurvey(ctx);
      twilio().post(CALLS_PATH).reply(status, { code, message, status });
      await dispatchTick(ctx);
      const after = await survey(ctx, s.id);
      expect(after).toMatchObject({ state: "scheduled", attempts: 0, errorCode: String(code), callSid: null });
      const delay = after.nextAttemptAt!.getTime() - new Date("2026-11-24T09:00:00Z").getTime();
      expect(delay).toBeGreaterThanOrEqual(2_500);
      expect(delay).toBeLessThanOrEqual(5_000);
      expect((await dispatchTick(ctx)).claimed).toBe(0); // not yet due

      ctx.setNow(after.nextAttemptAt!);
      const callSid = sid("CA");
      twilio().post(CALLS_PATH).reply(201, callResource(callSid, s.number));
      await dispatchTick(ctx);
      expect(await survey(ctx, s.id)).toMatchObject({ state: "dialling", attempts: 1, callSid });
    },
  );

  it("timeout: the call may exist, so it is not dialled again; reconciliation adopts the call Twilio did create", async () => {
    const s = await createSurvey(ctx);
    twilio()
      .post(CALLS_PATH)
      .delay(1_000)
      .reply(201, callResource(sid("CA"), s.number));
    await tickWithShortTimeout();
    expect(await survey(ctx, s.id)).toMatchObject({ state: "dialling", callSid: null });
    expect((await events(ctx, s.id)).map((e) => e.type)).toContain("dial-uncertain");
    expect((await dispatchTick(ctx)).claimed).toBe(0);
    expect(await reconcileStale(ctx)).toBe(0); // too early to decide

    ctx.setNow("2026-11-24T09:02:00Z");
    const createdSid = sid("CA");
    const listed: Record<string, string>[] = [];
    twilio()
      .get(CALLS_PATH)
      .query((q) => {
        listed.push(q as Record<string, string>);
        return true;
      })
      .reply(200, {
        calls: [callResource(createdSid, s.number, "ringing", new Date("2026-11-24T09:00:01Z"))],
        next_page_uri: null,
        page: 0,
        page_size: 20,
      });
    expect(await reconcileStale(ctx)).toBe(1);
    expect(listed[0]).toMatchObject({ To: s.number, From: "+46850000000" });
    expect(await survey(ctx, s.id)).toMatchObject({ state: "dialling", callSid: createdSid, attempts: 1 });
  });

  it("timeout: when Twilio's call list shows no call, the survey goes back to scheduled without counting the attempt", async () => {
    const s = await createSurvey(ctx);
    twilio().post(CALLS_PATH).replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    await tickWithShortTimeout();
    // Through nock the reset surfaces as axios's timeout; either way the outcome is unknown.
    expect(await survey(ctx, s.id)).toMatchObject({
      state: "dialling",
      callSid: null,
      errorCode: expect.stringMatching(/^ECONN/),
    });

    ctx.setNow("2026-11-24T09:02:00Z");
    // An older call to the same number (earlier survey) must not be mistaken for this one.
    const old = callResource(sid("CA"), s.number, "completed", new Date("2026-11-20T09:00:00Z"));
    twilio()
      .get(CALLS_PATH)
      .query(true)
      .reply(200, { calls: [old], next_page_uri: null, page: 0, page_size: 20 });
    await reconcileStale(ctx);
    const after = await survey(ctx, s.id);
    expect(after).toMatchObject({ state: "scheduled", attempts: 0, callSid: null });
    expect(after.nextAttemptAt!.getTime()).toBeGreaterThan(new Date("2026-11-24T09:02:00Z").getTime());
  });

  it("outside calling hours at dial time: rescheduled to the next window without a call or a counted attempt", async () => {
    ctx.setNow("2026-11-24T19:30:00Z"); // 20:30 local
    const s = await createSurvey(ctx, { expiresAt: new Date("2026-11-25T12:00:00Z") });
    await dispatchTick(ctx); // nock would fail the test on any request
    expect(await survey(ctx, s.id)).toMatchObject({
      state: "scheduled",
      attempts: 0,
      nextAttemptAt: new Date("2026-11-25T07:00:00Z"),
    });
  });

  it("outside calling hours with no window before expiry: expired", async () => {
    ctx.setNow("2026-11-24T19:30:00Z");
    const s = await createSurvey(ctx, { expiresAt: new Date("2026-11-24T21:00:00Z") });
    await dispatchTick(ctx);
    expect(await survey(ctx, s.id)).toMatchObject({ state: "expired", outcome: "expired" });
  });

  it("expires scheduled surveys past expiresAt and records when", async () => {
    const s = await createSurvey(ctx, {
      nextAttemptAt: new Date("2026-11-24T08:00:00Z"),
      expiresAt: new Date("2026-11-24T08:59:00Z"),
    });
    expect((await dispatchTick(ctx)).expired).toBe(1);
    expect(await survey(ctx, s.id)).toMatchObject({ state: "expired", endedAt: new Date("2026-11-24T09:00:00Z") });
    expect((await events(ctx, s.id)).map((e) => [e.type, e.fromState, e.toState, e.at.toISOString()])).toEqual([
      ["expired", "scheduled", "expired", "2026-11-24T09:00:00.000Z"],
    ]);
  });

  it("a number that opted out after intake is never called: canceled", async () => {
    const s = await createSurvey(ctx);
    await ctx.prisma.optOut.create({
      data: { organizationId: ctx.organizationId, numberHash: ctx.numbers.hash(s.number), source: "keypad" },
    });
    await dispatchTick(ctx);
    expect(await survey(ctx, s.id)).toMatchObject({ state: "canceled", outcome: "opted_out_meanwhile" });
  });

  it("never has more live survey calls than DISPATCH_MAX_CONCURRENT", async () => {
    const capped = { ...ctx, config: { ...ctx.config, DISPATCH_MAX_CONCURRENT: 2 } };
    await createSurvey(ctx, { state: "in_progress", callSid: sid("CA"), claimedAt: new Date("2026-11-24T08:59:00Z") });
    const due = [await createSurvey(ctx), await createSurvey(ctx), await createSurvey(ctx)];
    twilio()
      .post(CALLS_PATH)
      .reply(201, () => callResource(sid("CA"), due[0].number));
    expect((await dispatchTick(capped)).claimed).toBe(1);
    expect((await dispatchTick(capped)).claimed).toBe(0);
    expect(await ctx.prisma.surveyCall.count({ where: { state: { in: ["dialling", "in_progress"] } } })).toBe(2);
  });
});
