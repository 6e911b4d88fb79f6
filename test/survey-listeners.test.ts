import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createSurveyCall } from "./support/survey-calls.js";
import { signedPost } from "./support/twilio.js";
import { parseTwiml, shape } from "./support/twiml.js";

describe("listeners of survey events", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-03-10T09:00:00Z" });
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  const post = async (path: string, params: Record<string, string> = {}) => {
    const res = await signedPost(app.url, path, { CallSid: "CA0000000000000000000000000000000f", ...params }, ctx);
    return { status: res.status, els: parseTwiml(await res.text()) };
  };

  it("a listener that throws after the keypress is committed is logged, and the caller hears the next question", async () => {
    const { survey } = await createSurveyCall(ctx);
    await post(`/twilio/voice?surveyId=${survey.id}`);
    const unsubscribe = ctx.events.subscribe((e) => {
      if (e.type === "answer.stored") throw new Error("real-time fan-out broke");
    });
    try {
      const r = await post(`/twilio/gather?surveyId=${survey.id}&flow=nki-sv&step=svarstid&try=0`, { Digits: "4" });
      expect(r.status).toBe(200);
      expect(shape(r.els)).toBe("Gather(Say) Redirect");
      expect(r.els[0].attrs.action).toContain("step=bemotande");
      expect(r.els.some((e) => e.verb === "Hangup")).toBe(false);
    } finally {
      unsubscribe();
    }
    const answers = await ctx.prisma.answer.findMany({ where: { surveyId: survey.id } });
    expect(answers.map((a) => [a.questionKey, a.score])).toEqual([["svarstid", 4]]);
    expect(ctx.logs.some((l) => String(l.message).startsWith("a listener of a committed survey event failed"))).toBe(
      true,
    );
  });
});
