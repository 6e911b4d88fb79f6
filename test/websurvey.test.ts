import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createSurveyCall } from "./support/survey-calls.js";
import { issueLinkToken } from "../src/websurvey/token.js";
import { insertAnswer } from "./support/answers.js";
import { getWeekQueue } from "../src/review/service.js";
import { createUser } from "./review.fixtures.js";

/** A citizen's browser without JavaScript: GET the page, POST the form, follow the 303 by hand. */
async function get(url: string) {
  const res = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
  return { status: res.status, body: await res.text() };
}
async function post(url: string, form: Record<string, string>) {
  const res = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

/** The simulator's citizen, as the form contract describes it: every q_* name, the comment, every hidden input. */
function formOf(page: string, score: string, comment: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form[m[1]] = m[2]!;
  for (const m of page.matchAll(/name="(q_[a-z0-9_]+)"/g)) form[m[1]] = score;
  if (page.includes('<textarea name="comment"') || page.includes('name="comment"')) form.comment = comment;
  return form;
}

describe("the web survey at /s/:token", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-11-30T10:00:00Z" });
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  beforeEach(() => ctx.setNow("2026-11-30T10:00:00Z"));

  async function linkFor(state: Parameters<typeof createSurveyCall>[1] extends infer O ? O : never = {}) {
    const s = await createSurveyCall(ctx, { state: "no_answer", ...state });
    const token = issueLinkToken(ctx.numbers, s.survey.id, ctx.now());
    return { ...s, url: `${app.url}/s/${token}`, path: `/s/${token}` };
  }

  it("shows the first question as radios 1-5 with the flow's written text, and records the first opening once", async () => {
    const { url, survey } = await linkFor();
    const page = await get(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain("<form");
    expect(page.body).toContain('method="post"');
    for (const v of [1, 2, 3, 4, 5]) expect(page.body).toContain(`name="q_svarstid" value="${v}"`);
    expect(page.body).toContain("Hur nöjd är du med hur länge du fick vänta innan någon svarade?");
    expect(page.body).not.toContain("Tryck 1 till 5");
    expect(page.body).toContain("<legend>");
    const opened = (await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } })).webOpenedAt;
    expect(opened?.toISOString()).toBe("2026-11-30T10:00:00.000Z");
    ctx.setNow("2026-11-30T11:00:00Z");
    await get(url);
    const again = await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } });
    expect(again.webOpenedAt?.toISOString()).toBe("2026-11-30T10:00:00.000Z");
  });

  it("a client following the form contract completes the survey, stores web answers and the masked comment", async () => {
    const { url, path, survey } = await linkFor();
    let page = await get(url);
    let rounds = 0;
    while (!page.body.includes('data-survey-state="done"')) {
      expect(++rounds).toBeLessThanOrEqual(10);
      const r = await post(url, formOf(page.body, "4", "Bra hjälp! Ring mig på 070-123 45 67, pnr 19850312-1231."));
      expect(r.status).toBe(303);
      expect(r.location).toBe(path);
      page = await get(url);
    }
    expect(rounds).toBe(8);
    const answers = await db.prisma.answer.findMany({ where: { surveyId: survey.id } });
    expect(answers).toHaveLength(7);
    expect(answers.every((a) => a.channel === "web" && a.score === 4)).toBe(true);
    const s = await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } });
    expect(s.webCompletedAt).not.toBeNull();
    const vm = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { surveyId: survey.id } });
    expect(vm.kind).toBe("text");
    expect(vm.state).toBe("stored");
    expect(vm.text).toContain("Bra hjälp!");
    expect(vm.text).not.toContain("070-123 45 67");
    expect(vm.text).not.toContain("19850312-1231");
    expect(vm.text).toContain("[telefonnummer]");
    // The number is not needed any more.
    const call = await db.prisma.completedCall.findUniqueOrThrow({ where: { id: s.completedCallId } });
    expect(call.callerNumberEnc).toBeNull();
    // The link now only thanks; a further post changes nothing.
    const after = await post(url, { q_svarstid: "1", step: "svarstid" });
    expect(after.status).toBe(303);
    expect(
      (await db.prisma.answer.findFirstOrThrow({ where: { surveyId: survey.id, questionKey: "svarstid" } })).score,
    ).toBe(4);
    expect((await get(url)).body).toContain('data-survey-state="done"');

    // The comment waits in the listening queue as text, and reading it is audited.
    const manager = await createUser(db.prisma, ctx.organizationId, "manager");
    const queue = await getWeekQueue(ctx, { id: manager.id, organizationId: ctx.organizationId, role: "manager" }, {});
    const item = queue.items.find((i) => i.id === vm.id);
    expect(item).toMatchObject({ kind: "text", audioAvailable: false, reviewed: false });
    expect(item?.text).toContain("[telefonnummer]");
    const reads = await db.prisma.auditEvent.findMany({ where: { action: "voice-message.read-text" } });
    expect(reads.some((r) => JSON.stringify(r.detail).includes(vm.id))).toBe(true);
  });

  it("a half-finished survey keeps its answers and continues at the next question", async () => {
    const { url, survey } = await linkFor();
    await get(url);
    for (const [k, v] of [
      ["svarstid", "5"],
      ["bemotande", "3"],
      ["engagemang", "2"],
    ] as const)
      expect((await post(url, { [`q_${k}`]: v, step: k })).status).toBe(303);
    const stored = await db.prisma.answer.findMany({ where: { surveyId: survey.id }, orderBy: { questionKey: "asc" } });
    expect(stored.map((a) => [a.questionKey, a.score, a.channel])).toEqual([
      ["bemotande", 3, "web"],
      ["engagemang", 2, "web"],
      ["svarstid", 5, "web"],
    ]);
    const inbox = await db.prisma.answerInbox.count({ where: { organizationId: ctx.organizationId, channel: "web" } });
    expect(inbox).toBeGreaterThanOrEqual(3);
    const page = await get(url);
    expect(page.body).toContain('name="q_kunskap"');
    expect(page.body).toContain("Fråga 4 av 7");
    expect((await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } })).webCompletedAt).toBeNull();
  });

  it("a double submission stores the answer once and keeps the first", async () => {
    const { url, survey } = await linkFor();
    const form = { q_svarstid: "2", step: "svarstid" };
    const [a, b] = await Promise.all([post(url, form), post(url, form)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    await post(url, { q_svarstid: "5", step: "svarstid" });
    const rows = await db.prisma.answer.findMany({ where: { surveyId: survey.id } });
    expect(rows.map((r) => r.score)).toEqual([2]);
  });

  it("an answer outside the scale is refused with 400 naming the field, and nothing is stored", async () => {
    const { url, survey } = await linkFor();
    const r = await post(url, { q_svarstid: "4", q_bemotande: "9", step: "bemotande" });
    expect(r.status).toBe(400);
    expect(r.body).toContain("q_bemotande");
    expect(r.body).toContain("svaret måste vara 1–5");
    expect(r.body).toContain("<form");
    expect(await db.prisma.answer.count({ where: { surveyId: survey.id } })).toBe(0);
  });

  it("an answer to a question the flow does not have is refused with 400 naming it", async () => {
    const { url, survey } = await linkFor();
    const r = await post(url, { q_svarstid: "4", q_parkering: "3" });
    expect(r.status).toBe(400);
    expect(r.body).toContain("q_parkering");
    expect(r.body).toContain("frågan finns inte i den här enkäten");
    expect(await db.prisma.answer.count({ where: { surveyId: survey.id } })).toBe(0);
  });

  it("a tampered token gets the polite 404 page, an expired one 410", async () => {
    const { url, survey } = await linkFor();
    const token = url.split("/s/")[1];
    const flipped = token.slice(0, 10) + (token[10] === "A" ? "B" : "A") + token.slice(11);
    const bad = await get(`${app.url}/s/${flipped}`);
    expect(bad.status).toBe(404);
    expect(bad.body).toContain("Länken fungerar inte");
    expect(bad.body).not.toContain("<form");
    expect((await post(`${app.url}/s/${flipped}`, { q_svarstid: "5" })).status).toBe(404);
    ctx.setNow("2026-12-07T10:00:01Z");
    const old = await get(url);
    expect(old.status).toBe(410);
    expect(old.body).toContain("Länken har gått ut");
    expect((await post(url, { q_svarstid: "5", step: "svarstid" })).status).toBe(410);
    expect(await db.prisma.answer.count({ where: { surveyId: survey.id } })).toBe(0);
    const s = await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: survey.id } });
    expect(s.webOpenedAt).toBeNull();
  });

  it("a survey answered by phone is not asked again on the web", async () => {
    const { url, survey, group, agent } = await linkFor({ state: "partial" });
    await insertAnswer(db.prisma, {
      surveyId: survey.id,
      organizationId: ctx.organizationId,
      groupId: group.id,
      agentId: agent.id,
      flowId: "nki-sv",
      flowVersion: ctx.flows.getFlow("nki-sv").version,
      questionKey: "svarstid",
      score: 3,
      answeredAt: ctx.now(),
      timeZone: "Europe/Stockholm",
    });
    const page = await get(url);
    expect(page.body).toContain('data-survey-state="done"');
    expect(page.body).toContain("redan svarat");
    await post(url, { q_bemotande: "5", step: "bemotande" });
    expect(await db.prisma.answer.count({ where: { surveyId: survey.id, channel: "web" } })).toBe(0);
  });

  it("an opted-out survey shows a closed page and takes nothing", async () => {
    const { url, survey } = await linkFor({ state: "opted_out" });
    const page = await get(url);
    expect(page.status).toBe(410);
    expect(page.body).toContain("Enkäten är stängd");
    await post(url, { q_svarstid: "5", step: "svarstid" });
    expect(await db.prisma.answer.count({ where: { surveyId: survey.id } })).toBe(0);
  });

  it("switches to English with the flow twin's texts and keeps English through the post", async () => {
    const { url, path } = await linkFor();
    const page = await get(`${url}?lang=en`);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain("How satisfied are you with how long you waited before someone answered?");
    const r = await post(url, formOf(page.body, "5", ""));
    expect(r.location).toBe(`${path}?lang=en`);
    expect((await get(`${app.url}${r.location}`)).body).toContain("Question 2 of 7");
  });
});
