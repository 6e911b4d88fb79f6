import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createSurveyCall } from "./support/survey-calls.js";
import { signedPost } from "./support/twilio.js";
import { makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { loadFlows } from "../src/survey/flows.js";
import { loadStoredFlowVersions } from "../src/survey/flow-versions.js";
import type { SayPrompt } from "../src/survey/flow-schema.js";

const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)![1];

describe("survey flows edited in the admin UI: a new version, surveys in progress keep theirs", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let c: WebClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-03-10T09:00:00Z" });
    app = await startTestApp(ctx);
    const admin = await makeUser(ctx, "admin");
    c = new WebClient(app.url);
    await c.signIn(admin.user.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const voice = async (path: string, params: Record<string, string> = {}) =>
    (await signedPost(app.url, path, { CallSid: "CA00000000000000000000000000000aaa", ...params }, ctx)).text();

  it("saves edited texts as a new version; a survey started before keeps the old wording, a new one hears the new", async () => {
    const old = ctx.flows.getFlow("nki-sv");
    const oldQ2 = (old.questions[1].prompt[0] as SayPrompt).say;
    const { survey: running } = await createSurveyCall(ctx);
    const first = await voice(`/twilio/voice?surveyId=${running.id}&flow=nki-sv`);
    expect(first).toContain(`v=${old.version}`);

    const page = await (await c.get("/admin/flows")).text();
    expect(page).toContain(oldQ2);
    const newQ2 = "Hur bemöttes du av den du talade med? Tryck 1 till 5.";
    const res = await c.post("/admin/flows/nki-sv", { "questions.1.prompt.0": newQ2, _csrf: csrfOf(page) });
    expect(res.status).toBe(303);
    const current = ctx.flows.getFlow("nki-sv");
    expect(current.version).not.toBe(old.version);
    expect((current.questions[1].prompt[0] as SayPrompt).say).toBe(newQ2);
    expect(current.questions.map((q) => q.key)).toEqual(old.questions.map((q) => q.key));
    const row = await db.prisma.flowVersion.findUniqueOrThrow({
      where: { flowId_version: { flowId: "nki-sv", version: current.version } },
    });
    expect(row.createdById).not.toBeNull();
    const ev = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "flow.version-create" } });
    expect(ev.detail).toEqual({ from: old.version, to: current.version, changed: ["questions.1.prompt.0"] });

    // The running survey answers question 1 with its own version in the URL: question 2 in the old words.
    const q = `surveyId=${running.id}&flow=nki-sv&step=${old.questions[0].key}&try=0`;
    const next = await voice(`/twilio/gather?${q}&v=${old.version}`, { Digits: "4" });
    expect(next).toContain(oldQ2);
    expect(next).not.toContain(newQ2);
    // Every next URL carries the survey's version on.
    const q2 = `surveyId=${running.id}&flow=nki-sv&step=${old.questions[1].key}&try=0`;
    const third = await voice(`/twilio/gather?${q2}&v=${old.version}`, { Digits: "5" });
    expect(third).toContain(`v=${old.version}`);
    expect(third).toContain((old.questions[2].prompt[0] as SayPrompt).say);
    const answers = await db.prisma.answer.findMany({ where: { surveyId: running.id } });
    expect(answers.map((a) => a.flowVersion)).toEqual([old.version, old.version]);

    // A new survey starts on the new version.
    const { survey: fresh } = await createSurveyCall(ctx);
    await voice(`/twilio/voice?surveyId=${fresh.id}&flow=nki-sv`);
    const fq = `surveyId=${fresh.id}&flow=nki-sv&step=${current.questions[0].key}&try=0`;
    expect(await voice(`/twilio/gather?${fq}&v=${current.version}`, { Digits: "3" })).toContain(newQ2);

    // After a restart the stored version is current again.
    const reloaded = loadFlows();
    expect(await loadStoredFlowVersions(db.prisma, reloaded)).toBe(1);
    expect(reloaded.getFlow("nki-sv").version).toBe(current.version);
    expect(reloaded.getFlowVersion("nki-sv", old.version).version).toBe(old.version);
  });

  it("refuses an empty text with the place it is in, and saves nothing", async () => {
    const before = ctx.flows.getFlow("nki-sv").version;
    const page = await (await c.get("/admin/flows")).text();
    const res = await c.post("/admin/flows/nki-sv", { "greeting.0": "   ", _csrf: csrfOf(page) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Texten greeting.0: måste ha 1–2000 tecken.");
    expect(ctx.flows.getFlow("nki-sv").version).toBe(before);
  });
});
