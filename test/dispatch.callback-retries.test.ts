import nock from "nock";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { createPrisma } from "../src/lib/db.js";
import { CONNECTION_OVERRIDES } from "../src/telephony/signature.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { CALLS_PATH, callResource, clearSurveys, createSurvey, sid, survey } from "./support/dispatch-fixtures.js";
import { signedPost } from "./support/twilio.js";

const T0 = "2026-11-24T09:00:00Z";

describe("callbacks that are not lost", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const form = (callSid: string, callStatus: string) => ({
    AccountSid: ctx.twilioCredentials.accountSid,
    CallSid: callSid,
    CallStatus: callStatus,
    CallDuration: "3",
  });
  async function dial(): Promise<string> {
    const callSid = sid("CA");
    nock("https://api.twilio.com").post(CALLS_PATH).reply(201, callResource(callSid, "+46700000000"));
    expect((await dispatchTick(ctx)).dialled).toBe(1);
    return callSid;
  }

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: T0, settings: { callingHours: "always", skipPublicHolidays: false } });
    app = await startTestApp(ctx);
  });
  beforeEach(async () => {
    ctx.setNow(T0);
    ctx.logs.length = 0;
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

  it("a status callback whose handling failed answers 500, and its redelivery is applied", async () => {
    const s = await createSurvey(ctx);
    const callSid = await dial();
    // The same service with its database out of reach (nothing listens on port 1).
    const broken = await startTestApp({ ...ctx, prisma: createPrisma("postgresql://postgres@127.0.0.1:1/none", 1) });
    try {
      const failed = await signedPost(broken.url, `/twilio/status?surveyId=${s.id}`, form(callSid, "completed"), ctx);
      expect(failed.status).toBe(500);
      expect(await failed.text()).toContain("<Response/>");
    } finally {
      await broken.close();
    }
    expect(ctx.logs.some((l) => String(l.message).startsWith("status callback failed; answering 500"))).toBe(true);
    expect((await survey(ctx, s.id)).state).toBe("dialling");

    const again = await signedPost(app.url, `/twilio/status?surveyId=${s.id}`, form(callSid, "completed"), ctx);
    expect(again.status).toBe(200);
    expect(await survey(ctx, s.id)).toMatchObject({ state: "no_answer", outcome: "hung_up_before_first_answer" });
  });

  it("a final status recorded but not applied before a crash is applied when Twilio delivers it again, and only once", async () => {
    const s = await createSurvey(ctx);
    const callSid = await dial();
    // What a crash between recording and applying leaves: the callback's event, the survey unchanged.
    await ctx.prisma.surveyEvent.create({
      data: { surveyId: s.id, at: new Date(T0), type: "twilio-status", callSid, detail: { callStatus: "busy" } },
    });
    expect((await survey(ctx, s.id)).state).toBe("dialling");

    const res = await signedPost(app.url, `/twilio/status?surveyId=${s.id}`, form(callSid, "busy"), ctx);
    expect(res.status).toBe(200);
    const after = await survey(ctx, s.id);
    expect(after).toMatchObject({ state: "scheduled", outcome: "busy", attempts: 1 });

    // A further replay changes nothing and records nothing.
    await signedPost(app.url, `/twilio/status?surveyId=${s.id}`, form(callSid, "busy"), ctx);
    expect(await survey(ctx, s.id)).toMatchObject({ state: "scheduled", nextAttemptAt: after.nextAttemptAt });
    const busy = await ctx.prisma.surveyEvent.count({
      where: { surveyId: s.id, type: "twilio-status", callSid },
    });
    expect(busy).toBe(1);
    const moves = await ctx.prisma.surveyEvent.count({ where: { surveyId: s.id, toState: "scheduled" } });
    expect(moves).toBe(1);
  });

  it("accepts Twilio's signature over the URL with or without the connection overrides, and no other fragment", async () => {
    const s = await createSurvey(ctx);
    const path = `/twilio/status?surveyId=${s.id}`;
    const params = form(sid("CA"), "ringing");
    const sign = (url: string) => twilio.getExpectedTwilioSignature(ctx.twilioCredentials.authToken, url, params);
    const base = ctx.config.publicBaseUrl + path;

    const without = await signedPost(app.url, path, params, ctx, { signature: sign(base) });
    expect(without.status).toBe(200);
    const withFragment = await signedPost(app.url, path, params, ctx, { signature: sign(base + CONNECTION_OVERRIDES) });
    expect(withFragment.status).toBe(200);
    const other = await signedPost(app.url, path, params, ctx, { signature: sign(`${base}#rc=5`) });
    expect(other.status).toBe(403);
  });
});
