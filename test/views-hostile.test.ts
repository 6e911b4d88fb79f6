import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAgent, ensureGroup } from "../src/organizations/service.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { seedSurveys } from "./browser/factories.js";
import { createVoiceMessage } from "./review.fixtures.js";
import { formatIsoWeek, weekOf } from "../src/review/rules.js";
import { parseFlow } from "../src/survey/flows.js";
import { issueLinkToken } from "../src/websurvey/token.js";
import { createSurveyCall } from "./support/survey-calls.js";

/**
 * Every page and report rendered with data that tries to become markup: names
 * of agents, svarsgrupper, users and the organization, and the review's
 * förvaltning, note and case reference. Each value goes in through the same
 * functions and HTTP endpoints production uses; each page must show it as text.
 */
const NOW = new Date("2026-03-04T10:00:00Z");
const HOSTILE = {
  agent: `<img src=x onerror=alert(1)> Agent`,
  agentId: `ag-'"<u>1`,
  group: `"><script>x</script> Grupp`,
  forvaltning: `' onmouseover='x förvaltning`,
  note: `</textarea><img src=x onerror=alert(2)>`,
  /** The review refuses markup in a case reference (letters, digits and . _ / : # - only), so it is tried in the query. */
  caseReference: `"><img src=x onerror=alert(3)>`,
  manager: `<script>x</script> Chef`,
  admin: `' onmouseover='x Admin`,
  organization: `<img src=x onerror=alert(4)> kommun`,
  email: `"><script>x</script>@kommun.example`,
  /** What a valid address can carry: an apostrophe. */
  adminEmail: `o'hara.admin@kommun.example`,
  privacyInfo: `"><script>x</script> kommunen.se/pul`,
  /** The web survey's texts as a flow file (or its operator) could write them. */
  question: `<img src=x onerror=alert(5)> Hur nöjd?`,
  low: `' onmouseover='x usel`,
  high: `<u>1 toppen`,
  commentPrompt: `</textarea><img src=x onerror=alert(6)> Något mer?`,
};
/** Markup that must never reach a page raw, whatever the value it came from. */
const FORBIDDEN = ["<img src=x", "<script>x", "' onmouseover='", "<u>1", "</textarea><img"];

const escaped = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

function expectInert(page: string, shown: string[]) {
  for (const bad of FORBIDDEN) expect(page, `raw "${bad}"`).not.toContain(bad);
  // The only scripts are the service's own files.
  for (const tag of page.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/^<script src="\/[^"]+" defer>$/);
  for (const s of shown) expect(page, `escaped "${s}"`).toContain(escaped(s));
}

describe("pages with hostile data", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const as: Record<"agent" | "manager" | "admin", WebClient> = {} as never;
  let vmId = "";

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW, env: { PUBLIC_BASE_URL: "http://127.0.0.1" } });
    app = await startTestApp(ctx);
    await db.prisma.organization.update({ where: { id: ctx.organizationId }, data: { name: HOSTILE.organization } });
    const group = await ensureGroup(ctx.prisma, ctx.organizationId, "val1", HOSTILE.group);
    const calm = await ensureGroup(ctx.prisma, ctx.organizationId, "val2", "Val 2 – Skola");
    const agentUser = await makeUser(ctx, "agent", { name: HOSTILE.agent, agentExternalId: HOSTILE.agentId });
    const other = await makeUser(ctx, "agent", { name: "Robin Provsson", agentExternalId: "robin-02" });
    const manager = await makeUser(ctx, "manager", { name: HOSTILE.manager });
    const admin = await makeUser(ctx, "admin", { name: HOSTILE.admin, email: HOSTILE.adminEmail });
    await db.prisma.target.create({
      data: {
        organizationId: ctx.organizationId,
        questionKey: "overall",
        metric: "mean",
        threshold: 4.3,
        validFrom: new Date("2026-01-01"),
      },
    });
    // Enough answers for results, the reports and a coaching signal (the hostile agent far below the group).
    const from = new Date(NOW.getTime() - 2 * 86_400_000);
    const agentId = agentUser.agent!.id;
    await seedSurveys(ctx, { organizationId: ctx.organizationId, groupId: group.id, agentId, from, n: 32, level: 2.4 });
    const o = { organizationId: ctx.organizationId, from, n: 32, level: 4.8 };
    await seedSurveys(ctx, { ...o, groupId: group.id, agentId: other.agent!.id });
    await seedSurveys(ctx, { ...o, groupId: calm.id, agentId: other.agent!.id, n: 6 });

    const { vm } = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: "2026-03-03T09:00:00Z",
      groupKey: "val1",
      agentExternalId: HOSTILE.agentId,
      scores: { bemotande: 2, kunskap: 3 },
    });
    // The fixture names its own group and agent; the telephony system's names win again.
    await ensureGroup(ctx.prisma, ctx.organizationId, "val1", HOSTILE.group);
    await ensureAgent(ctx.prisma, ctx.organizationId, HOSTILE.agentId, HOSTILE.agent);

    for (const [role, u] of [
      ["agent", agentUser],
      ["manager", manager],
      ["admin", admin],
    ] as const) {
      const c = new WebClient(app.url);
      expect((await c.signIn(u.user.email, TEST_PASSWORD)).status).toBe(303);
      as[role] = c;
    }
    // The review goes through the queue's own endpoint, as a manager's browser sends it.
    const csrf = await as.manager.csrfFrom("/queue");
    const review = {
      _csrf: csrf,
      classification: "klagomal",
      forvaltning: HOSTILE.forvaltning,
      note: HOSTILE.note,
      caseReference: HOSTILE.caseReference,
      registered: "1",
    };
    const refused = await as.manager.post(`/queue/messages/${vm.id}`, review);
    expect(refused.headers.get("location")).toBe(`/queue?error=caseReference&m=${vm.id}#m-${vm.id}`);
    const saved = await as.manager.post(`/queue/messages/${vm.id}`, { ...review, caseReference: "KS 2026/12" });
    expect(saved.headers.get("location")).toBe(`/queue#m-${vm.id}`);
    vmId = vm.id;
    expect(await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({
      forvaltning: HOSTILE.forvaltning,
      note: HOSTILE.note,
      caseReference: "KS 2026/12",
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  async function page(client: WebClient, path: string, status = 200): Promise<string> {
    const res = await client.get(path);
    expect(res.status, path).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    return res.text();
  }

  it("the agent's own page shows their name, group and results as text", async () => {
    for (const p of ["today", "week", "period"]) {
      expectInert(await page(as.agent, `/me?p=${p}`), [HOSTILE.agent]);
    }
    expectInert(await page(as.agent, "/me?p=week"), [HOSTILE.group]);
  });

  it("the overview shows hostile group, agent and manager names as text, coaching included", async () => {
    for (const p of ["week", "month", "tertial"]) {
      const html = await page(as.manager, `/overview?p=${p}`);
      expectInert(html, [HOSTILE.group, HOSTILE.agent, HOSTILE.agentId, HOSTILE.manager]);
      expect(html).toContain('data-testid="coaching"');
    }
  });

  it("the weekly and period reports show the organization and group names as text", async () => {
    for (const path of [
      "/reports/weekly",
      "/reports/period",
      "/reports/weekly?week=2026-W10",
      "/reports/period?period=2026-P1",
    ]) {
      expectInert(await page(as.manager, path), [HOSTILE.organization, HOSTILE.group, HOSTILE.manager]);
    }
  });

  it("the listening queue shows the review's förvaltning, note and case reference as text, in fields and lists", async () => {
    const html = await page(as.manager, "/queue?week=2026-W10");
    expectInert(html, [HOSTILE.forvaltning, HOSTILE.note, HOSTILE.agent, HOSTILE.group, HOSTILE.manager]);
    expect(html).toContain(`value="${escaped(HOSTILE.forvaltning)}"`);
    expect(html).toContain(`<option value="${escaped(HOSTILE.forvaltning)}">`);
    expect(html).toContain(`>${escaped(HOSTILE.note)}</textarea>`);
    // A field error named in the query comes from a fixed list, never from the query itself.
    const q = new URLSearchParams({ week: "2026-W10", error: HOSTILE.caseReference, m: vmId });
    expectInert(await page(as.manager, `/queue?${q.toString()}`), [HOSTILE.note]);
    const week = new URLSearchParams({ week: HOSTILE.caseReference });
    const refused = await as.manager.get(`/queue?${week.toString()}`);
    expect(refused.status).toBe(400);
    expectInert(await refused.text(), []);
  });

  it("the listening history shows the hostile manager, group and the message as text", async () => {
    // The audit log keeps the database's time, so the review above sits in the real current week.
    const week = formatIsoWeek(weekOf(new Date(), "Europe/Stockholm"));
    const html = await page(as.manager, `/queue/history?week=${week}`);
    expect(html).toContain(`#m-${vmId}`);
    expectInert(html, [HOSTILE.manager, HOSTILE.group]);
  });

  it("the admin pages and the audit log show hostile names and details as text", async () => {
    expectInert(await page(as.admin, "/admin"), [HOSTILE.group, HOSTILE.admin]);
    expectInert(await page(as.admin, "/admin/targets"), [HOSTILE.admin]);
    expectInert(await page(as.admin, "/admin/users"), [
      HOSTILE.agent,
      HOSTILE.manager,
      HOSTILE.adminEmail,
      HOSTILE.agentId,
    ]);
    const audit = await page(as.admin, "/admin/audit");
    expectInert(audit, [HOSTILE.manager]);
    // The audit detail is JSON of the change, shown as text.
    expect(audit).toContain(escaped(JSON.stringify(HOSTILE.forvaltning).slice(1, -1)));
  });

  it("a failed admin change echoes the hostile input as text", async () => {
    const csrf = await as.admin.csrfFrom("/admin");
    const res = await as.admin.post("/admin/settings", {
      _csrf: csrf,
      samplePercent: "10",
      callingHours: HOSTILE.caseReference,
      surveyDelaySeconds: "120",
      minAnswersForResult: "5",
      nkiQuestion: "all-questions",
      audioRetentionDaysAfterReview: "30",
    });
    expect(res.status).toBe(400);
    expectInert(await res.text(), []);
  });

  it("the sign-in page, its error and the refusal page show hostile input as text", async () => {
    const anon = new WebClient(app.url);
    expectInert(await page(anon, `/login?next=${encodeURIComponent(`/me"><script>x</script>`)}`), []);
    const csrf = await anon.csrfFrom("/login");
    const res = await anon.post("/login", { _csrf: csrf, email: HOSTILE.email, password: "wrong password 1" });
    expect(res.status).toBe(401);
    expectInert(await res.text(), [HOSTILE.email]);
    expectInert(await page(as.agent, "/overview", 403), [HOSTILE.agent]);
  });

  // Last: it makes a hostile version of the flow current for this file's registry.
  it("the web survey shows a hostile organization name, privacy text and flow texts as text, on every page", async () => {
    const settings = (await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } })).settings;
    await db.prisma.organization.update({
      where: { id: ctx.organizationId },
      data: { settings: { ...(settings as object), privacyInfo: HOSTILE.privacyInfo } },
    });
    const { version: _v, ...flow } = structuredClone(ctx.flows.getFlow("nki-sv"));
    flow.questions.forEach((q) => (q.web = { text: HOSTILE.question, low: HOSTILE.low, high: HOSTILE.high }));
    flow.message = { ...flow.message!, webText: HOSTILE.commentPrompt };
    ctx.flows.addVersion(parseFlow(flow, "hostile web texts"));
    const { survey } = await createSurveyCall(ctx, { state: "no_answer", flowId: "nki-sv" });
    const link = `/s/${issueLinkToken(ctx.numbers, survey.id, ctx.now())}`;
    const citizen = new WebClient(app.url);

    const first = await page(citizen, link);
    expect(first).toContain('data-survey-state="question"');
    expectInert(first, [HOSTILE.organization, HOSTILE.question, HOSTILE.low, HOSTILE.high]);
    // A value off the scale: the page comes back with the field named, still inert.
    const step = /name="step" value="([^"]+)"/.exec(first)![1];
    const refused = await citizen.post(link, { step, lang: "sv", [`q_${step}`]: "9" });
    expect(refused.status).toBe(400);
    expectInert(await refused.text(), [HOSTILE.question]);
    let html = first;
    for (let i = 0; i < 10 && html.includes('data-survey-state="question"'); i++) {
      const key = /name="step" value="([^"]+)"/.exec(html)![1];
      expect((await citizen.post(link, { step: key, lang: "sv", [`q_${key}`]: "4" })).status).toBe(303);
      html = await page(citizen, link);
    }
    expect(html).toContain('data-survey-state="comment"');
    expectInert(html, [HOSTILE.privacyInfo, HOSTILE.commentPrompt, HOSTILE.organization]);
    expect((await citizen.post(link, { step: "comment", lang: "sv", comment: HOSTILE.note })).status).toBe(303);
    const done = await page(citizen, link);
    expect(done).toContain('data-survey-state="done"');
    expectInert(done, [HOSTILE.organization]);
    expectInert(await page(citizen, `${link}?lang=en`), [HOSTILE.organization]);
  });
});
