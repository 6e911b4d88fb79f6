import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createSurveyCall } from "./support/survey-calls.js";
import { signedPost } from "./support/twilio.js";
import type { Prompt, SayPrompt } from "../src/survey/flow-schema.js";
import { parseTwiml, shape, type TwimlElement } from "./support/twiml.js";
import { flushAnswerInbox } from "../src/results/rollup.js";

const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
const BASE = "https://nki.example.test";
const said = (prompts: Prompt[]) => (prompts[0] as SayPrompt).say;

describe("survey IVR webhooks", () => {
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
  beforeEach(() => {
    ctx.published.length = 0;
    ctx.logs.length = 0;
  });

  const flow = () => ctx.flows.getFlow("nki-sv");
  async function post(path: string, params: Record<string, string> = {}) {
    const res = await signedPost(app.url, path, { CallSid: "CA0000000000000000000000000000000f", ...params }, ctx);
    const xml = await res.text();
    return { status: res.status, type: res.headers.get("content-type"), xml, els: parseTwiml(xml) };
  }
  // The step token the service puts in its action URLs (the flow lets a keypress be stored before the survey is read).
  // …and the flow version the survey runs on, so it keeps it when the flow is edited (flow-versions.ts).
  const q = (id: string, step: string, t = 0) => `surveyId=${id}&flow=nki-sv&step=${step}&try=${t}&v=${flow().version}`;
  const gather = (id: string, step: string, digits: string, t = 0) =>
    post(`/twilio/gather?${q(id, step, t)}`, { Digits: digits });
  const silence = (id: string, step: string, t = 0) => post(`/twilio/no-input?${q(id, step, t)}`);
  const answers = (surveyId: string) => ctx.prisma.answer.findMany({ where: { surveyId }, orderBy: { id: "asc" } });
  const gatherOf = (els: TwimlElement[]) =>
    els.find((e) => e.verb === "Gather" && !e.attrs.action.includes("step=intro"))!;

  it("answers the first fetch with the greeting, the first question and a redirect for silence, and marks the survey in progress", async () => {
    const { survey } = await createSurveyCall(ctx);
    const r = await post(`/twilio/voice?surveyId=${survey.id}`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/text\/xml/);
    expect(shape(r.els)).toBe("Gather(Say) Gather(Say) Redirect");
    const [intro, first, redirect] = r.els;
    expect(intro.attrs).toEqual({
      input: "dtmf",
      numDigits: "1",
      timeout: "1",
      finishOnKey: "",
      actionOnEmptyResult: "false",
      method: "POST",
      action: `${BASE}/twilio/gather?${q(survey.id, "intro")}`,
    });
    expect(intro.children[0].attrs).toEqual({ voice: "Polly.Astrid", language: "sv-SE" });
    expect(intro.children[0].text).toContain("Det här är Testkommun.");
    expect(intro.children[0].text).toContain("tryck stjärna");
    expect(first.attrs).toMatchObject({
      timeout: "7",
      finishOnKey: "",
      actionOnEmptyResult: "false",
      action: `${BASE}/twilio/gather?${q(survey.id, "svarstid")}`,
    });
    expect(first.children[0].text).toMatch(/^Fråga 1\./);
    expect(redirect).toEqual({
      verb: "Redirect",
      attrs: { method: "POST" },
      text: `${BASE}/twilio/no-input?${q(survey.id, "svarstid")}`,
      children: [],
    });

    const after = await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } });
    expect(after.state).toBe("in_progress");
    expect(after.startedAt).toEqual(ctx.now());
    expect(after.flowVersion).toBe(flow().version);
    expect(after.progress).toEqual({ step: "svarstid", try: 0 });
    const events = await ctx.prisma.surveyEvent.findMany({ where: { surveyId: survey.id } });
    expect(events.map((e) => [e.type, e.fromState, e.toState])).toEqual([["flow-started", "dialling", "in_progress"]]);
    expect(ctx.published).toContainEqual(
      expect.objectContaining({ type: "survey.state", surveyId: survey.id, to: "in_progress" }),
    );
  });

  it("runs a complete survey: seven answers, the voice message, thanks, and the survey completed", async () => {
    const { survey, completedCall, group, agent } = await createSurveyCall(ctx);
    await post(`/twilio/voice?surveyId=${survey.id}`);
    const scores = [5, 4, 3, 2, 1, 5, 4];
    let last: Awaited<ReturnType<typeof gather>> | undefined;
    for (const [i, key] of KEYS.entries()) last = await gather(survey.id, key, String(scores[i]));
    // After the last question: the message explanation (star still works), Record, and a redirect for an empty recording.
    expect(shape(last!.els)).toBe("Gather(Say) Record Redirect");
    expect(last!.els[1].attrs).toEqual({
      action: `${BASE}/twilio/recorded?${q(survey.id, "message")}`,
      method: "POST",
      maxLength: "120",
      timeout: "8",
      finishOnKey: "#",
      playBeep: "true",
      trim: "trim-silence",
      recordingStatusCallback: `${BASE}/twilio/recording?surveyId=${survey.id}#rc=3&rp=ct,rt,5xx`,
      recordingStatusCallbackEvent: "completed",
      recordingStatusCallbackMethod: "POST",
    });
    expect(last!.els[2].text).toBe(`${BASE}/twilio/no-input?${q(survey.id, "message")}`);
    expect((await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } })).state).toBe("completed");

    const end = await post(`/twilio/recorded?${q(survey.id, "message")}`, {
      RecordingSid: "RE00000000000000000000000000000001",
      RecordingDuration: "14",
      Digits: "#",
    });
    expect(shape(end.els)).toBe("Say Hangup");
    expect(end.els[0].text).toBe(said(flow().thanks));

    const stored = await answers(survey.id);
    expect(stored.map((a) => [a.questionKey, a.score, a.flowId, a.flowVersion])).toEqual(
      KEYS.map((k, i) => [k, scores[i], "nki-sv", flow().version]),
    );
    expect(
      stored.every((a) => a.groupId === group.id && a.agentId === agent.id && a.organizationId === ctx.organizationId),
    ).toBe(true);
    // The rollups take the answers when the inbox is folded in (every second in the service).
    await flushAnswerInbox(ctx.prisma);
    const daily = await ctx.prisma.answerDaily.findMany({ where: { agentId: agent.id, questionKey: "svarstid" } });
    expect(daily.reduce((n, d) => n + d.n, 0)).toBeGreaterThanOrEqual(1);
    const s = await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } });
    expect(s).toMatchObject({ state: "completed", answeredBy: "human", progress: { step: "end", try: 0 } });
    expect(s.endedAt).toEqual(ctx.now());
    // The final state erases the caller's number, keeping only its hash.
    const cc = await ctx.prisma.completedCall.findUniqueOrThrow({ where: { id: completedCall.id } });
    expect(cc.callerNumberEnc).toBeNull();
    expect(cc.callerHash).not.toBeNull();
    expect(ctx.published.filter((e) => e.type === "answer.stored" && e.surveyId === survey.id)).toHaveLength(7);
  });

  it("starts the survey from the dial's URL, which names the flow, and a replayed first fetch does not start it again", async () => {
    const { survey } = await createSurveyCall(ctx);
    const first = await post(`/twilio/voice?surveyId=${survey.id}&flow=nki-sv`);
    expect(shape(first.els)).toBe("Gather(Say) Gather(Say) Redirect");
    expect(first.els[0].children[0].text).toContain("Det här är Testkommun.");
    expect(gatherOf(first.els).attrs.action).toBe(`${BASE}/twilio/gather?${q(survey.id, "svarstid")}`);
    await gather(survey.id, "svarstid", "5");
    const replay = await post(`/twilio/voice?surveyId=${survey.id}&flow=nki-sv`);
    expect(gatherOf(replay.els).attrs.action).toBe(`${BASE}/twilio/gather?${q(survey.id, "bemotande")}`);
    const s = await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id }, include: { events: true } });
    expect(s).toMatchObject({
      state: "in_progress",
      progress: { step: "bemotande", try: 0 },
      flowVersion: flow().version,
    });
    expect(s.events.map((e) => [e.type, e.fromState, e.toState])).toEqual([
      ["flow-started", "dialling", "in_progress"],
    ]);
    expect(ctx.published.filter((e) => e.type === "survey.state" && e.surveyId === survey.id)).toEqual([
      expect.objectContaining({ from: "dialling", to: "in_progress" }),
    ]);
  });

  it("takes callbacks without the flow in their URL (a call in progress across an upgrade) the same way", async () => {
    const { survey } = await createSurveyCall(ctx);
    await post(`/twilio/voice?surveyId=${survey.id}`);
    const oldToken = (step: string) => `surveyId=${survey.id}&step=${step}&try=0`;
    const r = await post(`/twilio/gather?${oldToken("svarstid")}`, { Digits: "4" });
    expect(gatherOf(r.els).attrs.action).toBe(`${BASE}/twilio/gather?${q(survey.id, "bemotande")}`);
    // A replay of the same keypress through the new token changes nothing and renders where the survey is.
    const replay = await gather(survey.id, "svarstid", "2");
    expect(gatherOf(replay.els).attrs.action).toContain("step=bemotande");
    // A token naming another flow is not trusted: the survey is read, and the keypress applied with its own flow.
    const other = await post(`/twilio/gather?surveyId=${survey.id}&flow=nki-en&step=bemotande&try=0`, { Digits: "5" });
    expect(gatherOf(other.els).attrs.action).toContain("step=engagemang");
    expect((await answers(survey.id)).map((a) => [a.questionKey, a.score, a.flowId])).toEqual([
      ["svarstid", 4, "nki-sv"],
      ["bemotande", 5, "nki-sv"],
    ]);
  });

  it("when the citizen hangs up after question 3, keeps the three answers, their rollup and their events", async () => {
    const { survey, agent } = await createSurveyCall(ctx, { callerNumber: "+46709876543" });
    await post(`/twilio/voice?surveyId=${survey.id}`);
    await flushAnswerInbox(ctx.prisma);
    const before = await ctx.prisma.answerDaily.findMany({ where: { agentId: agent.id } });
    const n = (rows: typeof before, key: string) =>
      rows.filter((r) => r.questionKey === key).reduce((s, r) => s + r.n, 0);
    await gather(survey.id, "svarstid", "4");
    await gather(survey.id, "bemotande", "5");
    await gather(survey.id, "engagemang", "3");
    // ...and then nothing: Twilio sends no more webhooks for this call.
    expect((await answers(survey.id)).map((a) => [a.questionKey, a.score])).toEqual([
      ["svarstid", 4],
      ["bemotande", 5],
      ["engagemang", 3],
    ]);
    await flushAnswerInbox(ctx.prisma);
    const after = await ctx.prisma.answerDaily.findMany({ where: { agentId: agent.id } });
    for (const key of KEYS.slice(0, 3)) expect(n(after, key) - n(before, key)).toBe(1);
    expect(n(after, "kunskap") - n(before, "kunskap")).toBe(0);
    const events = ctx.published.filter((e) => e.type === "answer.stored");
    expect(events).toEqual(
      [
        ["svarstid", 4],
        ["bemotande", 5],
        ["engagemang", 3],
      ].map(([questionKey, score]) =>
        expect.objectContaining({
          type: "answer.stored",
          surveyId: survey.id,
          organizationId: ctx.organizationId,
          agentId: agent.id,
          questionKey,
          score,
          answeredAt: ctx.now().toISOString(),
        }),
      ),
    );
    // Still in progress: the dispatcher's status callback turns it into partial.
    expect(await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } })).toMatchObject({
      state: "in_progress",
      progress: { step: "kunskap", try: 0 },
    });
  });

  it("a replayed gather callback neither stores twice nor skips a question", async () => {
    const { survey } = await createSurveyCall(ctx);
    await post(`/twilio/voice?surveyId=${survey.id}`);
    const first = await gather(survey.id, "svarstid", "2");
    const replay = await gather(survey.id, "svarstid", "2");
    expect(replay.xml).toBe(first.xml);
    expect(gatherOf(replay.els).attrs.action).toContain("step=bemotande");
    // Twilio retrying concurrently: both requests race for the same step.
    const [a, b] = await Promise.all([gather(survey.id, "bemotande", "4"), gather(survey.id, "bemotande", "4")]);
    expect(gatherOf(a.els).attrs.action).toContain("step=engagemang");
    expect(gatherOf(b.els).attrs.action).toContain("step=engagemang");
    expect((await answers(survey.id)).map((x) => [x.questionKey, x.score])).toEqual([
      ["svarstid", 2],
      ["bemotande", 4],
    ]);
    expect(ctx.published.filter((e) => e.type === "answer.stored")).toHaveLength(2);
    expect(ctx.logs.some((l) => String(l.message).includes("stale or replayed"))).toBe(true);
  });

  it("a key outside 1–5 re-asks once, and a second one moves on with the question unanswered", async () => {
    const { survey } = await createSurveyCall(ctx);
    await post(`/twilio/voice?surveyId=${survey.id}`);
    const wrong = await gather(survey.id, "svarstid", "9");
    expect(shape(wrong.els)).toBe("Gather(Say Say) Redirect");
    expect(wrong.els[0].attrs.action).toBe(`${BASE}/twilio/gather?${q(survey.id, "svarstid", 1)}`);
    expect(wrong.els[0].children.map((c) => c.text)).toEqual([
      said(flow().invalidInput),
      said(flow().questions[0].prompt),
    ]);
    const several = await gather(survey.id, "svarstid", "12", 1);
    expect(gatherOf(several.els).attrs.action).toBe(`${BASE}/twilio/gather?${q(survey.id, "bemotande")}`);
    const hash = await gather(survey.id, "bemotande", "#");
    expect(hash.els[0].attrs.action).toContain("try=1");
    await gather(survey.id, "bemotande", "0", 1);
    await gather(survey.id, "engagemang", "5");
    expect((await answers(survey.id)).map((a) => [a.questionKey, a.score])).toEqual([["engagemang", 5]]);
  });

  it("silence re-asks once, then the next question is asked and this one stays unanswered", async () => {
    const { survey } = await createSurveyCall(ctx);
    await post(`/twilio/voice?surveyId=${survey.id}`);
    const once = await silence(survey.id, "svarstid");
    expect(once.els[0].children.map((c) => c.text)).toEqual([said(flow().noInput), said(flow().questions[0].prompt)]);
    expect(once.els[1].text).toBe(`${BASE}/twilio/no-input?${q(survey.id, "svarstid", 1)}`);
    const twice = await silence(survey.id, "svarstid", 1);
    expect(gatherOf(twice.els).children[0].text).toBe(said(flow().questions[1].prompt));
    expect(await answers(survey.id)).toEqual([]);
    const s = await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } });
    expect(s.progress).toEqual({ step: "bemotande", try: 0 });
    expect(s.answeredBy).toBeNull();
  });

  it("star opts the number out: OptOut row, survey opted_out, the number's other scheduled survey canceled, a polite goodbye", async () => {
    const number = "+46731112233";
    const { survey, completedCall } = await createSurveyCall(ctx, { callerNumber: number });
    const other = await createSurveyCall(ctx, { callerNumber: number, state: "scheduled" });
    const unrelated = await createSurveyCall(ctx, { callerNumber: "+46734445566", state: "scheduled" });
    await post(`/twilio/voice?surveyId=${survey.id}`);
    await gather(survey.id, "svarstid", "4");
    const r = await gather(survey.id, "bemotande", "*");
    expect(shape(r.els)).toBe("Say Hangup");
    expect(r.els[0].text).toBe(said(flow().optedOut));
    const optOuts = await ctx.prisma.optOut.findMany({
      where: { organizationId: ctx.organizationId, numberHash: completedCall.callerHash! },
    });
    expect(optOuts).toHaveLength(1);
    expect(optOuts[0].source).toBe("keypad");
    const states = async (id: string) => (await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id } })).state;
    expect(await states(survey.id)).toBe("opted_out");
    expect(await states(other.survey.id)).toBe("canceled");
    expect(await states(unrelated.survey.id)).toBe("scheduled");
    expect((await answers(survey.id)).map((a) => a.questionKey)).toEqual(["svarstid"]);
    // Twilio retrying the same request: the goodbye again, still one opt-out.
    const again = await gather(survey.id, "bemotande", "*");
    expect(shape(again.els)).toBe("Say Hangup");
    expect(await ctx.prisma.optOut.count({ where: { numberHash: completedCall.callerHash! } })).toBe(1);
  });

  it("a keypress proves a human even when answering-machine detection said machine", async () => {
    const { survey } = await createSurveyCall(ctx, { answeredBy: "machine" });
    await post(`/twilio/voice?surveyId=${survey.id}`);
    await gather(survey.id, "intro", "3");
    expect((await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } })).answeredBy).toBe("human");
  });

  it("callbacks for unknown surveys end the call politely with valid TwiML and a log line", async () => {
    for (const id of ["6f1c1d2e-0000-4000-8000-000000000000", "not-a-uuid", ""]) {
      const r = await gather(id, "svarstid", "3");
      expect(r.status).toBe(200);
      expect(shape(r.els)).toBe("Say Hangup");
    }
    expect(ctx.logs.filter((l) => String(l.message).includes("unknown survey"))).toHaveLength(3);
  });

  it("callbacks for a survey that is already over end the call politely without storing anything", async () => {
    const { survey } = await createSurveyCall(ctx, { state: "no_answer", progress: { step: "kunskap", try: 0 } });
    const r = await gather(survey.id, "kunskap", "5");
    expect(shape(r.els)).toBe("Say Hangup");
    expect(r.els[0].text).toBe(said(flow().ended));
    expect(await answers(survey.id)).toEqual([]);
  });

  it("an internal error still answers TwiML that apologises and hangs up, and logs the cause", async () => {
    const { survey } = await createSurveyCall(ctx, { flowId: "no-such-flow" });
    const r = await post(`/twilio/voice?surveyId=${survey.id}`);
    expect(r.status).toBe(200);
    expect(shape(r.els)).toBe("Say Hangup");
    expect(r.els[0].text).toMatch(/tekniskt fel.*ber om ursäkt/);
    const err = ctx.logs.find((l) => l.level === "error");
    expect(String(err?.message)).toContain("apologised");
    expect(JSON.stringify(err)).toContain("no-such-flow");
  });

  it("an internal error while storing a keypress apologises in the survey's own language", async () => {
    const { survey } = await createSurveyCall(ctx, { flowId: "nki-en" });
    await post(`/twilio/voice?surveyId=${survey.id}&flow=nki-en`);
    const now = ctx.now;
    ctx.now = () => {
      throw new Error("clock unavailable");
    };
    let r;
    try {
      r = await post(`/twilio/gather?surveyId=${survey.id}&flow=nki-en&step=svarstid&try=0`, { Digits: "4" });
    } finally {
      ctx.now = now;
    }
    expect(shape(r.els)).toBe("Say Hangup");
    expect(r.els[0].text).toMatch(/went wrong on our side/);
    expect(r.els[0].attrs).toMatchObject({ language: "en-US" });
    expect(await answers(survey.id)).toEqual([]);
  });

  it("rejects unsigned and wrongly signed requests with 403 and explains the usual URL mismatch", async () => {
    const { survey } = await createSurveyCall(ctx);
    const path = `/twilio/voice?surveyId=${survey.id}`;
    const missing = await signedPost(app.url, path, { CallSid: "CA1" }, ctx, { signature: null });
    expect(missing.status).toBe(403);
    const wrong = await signedPost(
      app.url,
      path,
      { CallSid: "CA1" },
      { ...ctx, config: { ...ctx.config, publicBaseUrl: "http://nki.example.test" } },
    );
    expect(wrong.status).toBe(403);
    const warn = ctx.logs.find((l) => String(l.message).includes("signature invalid"));
    expect(warn).toMatchObject({ validatedUrl: `${BASE}${path}` });
    expect(String(warn?.hint)).toContain("PUBLIC_BASE_URL");
    expect((await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } })).state).toBe("dialling");
  });
});
