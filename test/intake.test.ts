import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createPrisma } from "../src/lib/db.js";
import { call, intakeClient, NOW, NUMBERS } from "./intake-helpers.js";
import { ensureApiKey } from "../src/intake/api-keys.js";

describe("intake of completed calls", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let api: Awaited<ReturnType<typeof intakeClient>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    // PGlite's socket server interleaves the extended-protocol messages of concurrent
    // connections (one session underneath), which corrupts concurrent queries; one
    // connection per client serialises them. A real server keeps the shared pool.
    if (!process.env.TEST_DATABASE_URL) {
      const serial = createPrisma(db.url, 1);
      const close = db.close;
      db = { ...db, prisma: serial, close: () => serial.$disconnect().then(close) };
    }
    ctx = await createTestContext(db, { now: NOW, settings: { internalPrefixes: ["+46850"] } });
    app = await startTestApp(ctx);
    api = await intakeClient(ctx, app.url);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  beforeEach(() => ctx.setNow(NOW));

  it("schedules a survey a minute after the call, storing the number encrypted and the survey in one go", async () => {
    const c = call({ callerNumber: "070-174 06 05", language: "en" });
    const res = await api.post(c);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      externalCallId: c.externalCallId,
      decision: "scheduled",
      reason: null,
      dueAt: "2026-03-31T08:00:55.000Z",
      duplicate: false,
    });
    const stored = await db.prisma.completedCall.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, externalCallId: c.externalCallId },
      include: { survey: true, group: true, agent: true },
    });
    expect(ctx.numbers.decrypt(stored.callerNumberEnc!)).toBe(NUMBERS[0]);
    expect(stored.callerHash).toBe(ctx.numbers.hash(NUMBERS[0]));
    expect(stored).toMatchObject({
      decision: "scheduled",
      skipReason: null,
      queueSeconds: 60,
      talkSeconds: 180,
      language: "en",
    });
    expect(stored.group).toMatchObject({ key: "val-1", name: "Val 1 – Socialt stöd, vård och omsorg" });
    expect(stored.agent).toMatchObject({ externalId: "agent-17", name: "Agent Sjutton" });
    expect(stored.survey).toMatchObject({
      state: "scheduled",
      attempts: 0,
      nextAttemptAt: new Date("2026-03-31T08:00:55Z"),
      expiresAt: new Date("2026-03-31T11:59:55Z"),
      flowId: "nki-en",
      language: "en",
      groupId: stored.groupId,
      agentId: stored.agentId,
      organizationId: ctx.organizationId,
    });
    expect(ctx.published).toContainEqual(
      expect.objectContaining({ type: "survey.state", surveyId: stored.survey!.id, from: null, to: "scheduled" }),
    );
  });

  it("answers a resent call with its first decision and never creates a second survey", async () => {
    const c = call({ callerNumber: NUMBERS[1] });
    const first = await (await api.post(c)).json();
    ctx.setNow(new Date(NOW.getTime() + 3_600_000));
    const again = await api.post({ ...c, callerNumber: "anonymous" });
    expect(await again.json()).toEqual({ ...first, duplicate: true });
    expect(await db.prisma.completedCall.count({ where: { externalCallId: c.externalCallId } })).toBe(1);
    expect(await db.prisma.surveyCall.count({ where: { completedCall: { externalCallId: c.externalCallId } } })).toBe(
      1,
    );
  });

  it("stores one decision when the same call arrives several times at once", async () => {
    const c = call({ callerNumber: NUMBERS[2] });
    const bodies = await Promise.all(Array.from({ length: 6 }, () => api.post(c).then((r) => r.json())));
    expect(new Set(bodies.map((b) => JSON.stringify({ ...b, duplicate: undefined }))).size).toBe(1);
    expect(bodies.filter((b) => b.duplicate === false)).toHaveLength(1);
    expect(bodies[0].decision).toBe("scheduled");
    expect(await db.prisma.surveyCall.count({ where: { completedCall: { externalCallId: c.externalCallId } } })).toBe(
      1,
    );
  });

  it("treats a repeat of the same call inside one batch as a duplicate", async () => {
    const c = call({ callerNumber: NUMBERS[3] });
    const body = await (await api.post({ calls: [c, c] })).json();
    expect(body.results.map((r: { duplicate: boolean }) => r.duplicate)).toEqual([false, true]);
    expect(await db.prisma.completedCall.count({ where: { externalCallId: c.externalCallId } })).toBe(1);
  });

  it("surveys a number at most once per 30 days, within a batch too", async () => {
    const a = call({ callerNumber: NUMBERS[4] });
    const b = call({ callerNumber: "+46 70 174 06 09" });
    const body = await (await api.post({ calls: [a, b] })).json();
    expect(body.results.map((r: { reason: string | null }) => r.reason)).toEqual([null, "recently_surveyed"]);
    ctx.setNow(new Date(NOW.getTime() + 29 * 86_400_000));
    const later = call({
      callerNumber: NUMBERS[4],
      startedAt: new Date(ctx.now().getTime() - 100_000).toISOString(),
      endedAt: ctx.now().toISOString(),
    });
    expect((await (await api.post(later)).json()).reason).toBe("recently_surveyed");
    ctx.setNow(new Date(NOW.getTime() + 31 * 86_400_000)); // 2026-05-01: första maj, closed
    ctx.setNow(new Date("2026-05-04T08:00:00Z"));
    const after = call({
      callerNumber: NUMBERS[4],
      startedAt: "2026-05-04T07:55:00Z",
      endedAt: "2026-05-04T07:59:00Z",
    });
    expect((await (await api.post(after)).json()).decision).toBe("scheduled");
  });

  it("skips numbers that opted out", async () => {
    await db.prisma.optOut.create({
      data: { organizationId: ctx.organizationId, numberHash: ctx.numbers.hash(NUMBERS[5]), source: "keypad" },
    });
    const body = await (await api.post(call({ callerNumber: "0701740610" }))).json();
    expect(body).toMatchObject({ decision: "skipped", reason: "opted_out", dueAt: null });
  });

  it.each([
    ["hidden_number", { callerNumber: "anonymous" }],
    ["hidden_number", { callerNumber: null }],
    ["invalid_number", { callerNumber: "12345" }],
    ["foreign_number", { callerNumber: "+44 20 7946 0958" }],
    ["premium_rate_number", { callerNumber: "0900-123 45 67" }],
    ["internal_number", { callerNumber: "08-500 123 45" }],
    ["short_call", { startedAt: new Date(NOW.getTime() - 20_000).toISOString(), queueSeconds: 8 }],
    ["call_too_old", { startedAt: "2026-03-31T03:00:00Z", endedAt: "2026-03-31T03:05:00Z" }],
  ])("records the skip reason %s and schedules nothing", async (reason, patch) => {
    const c = call({ callerNumber: "070-174 06 11", ...patch });
    const body = await (await api.post(c)).json();
    expect(body).toMatchObject({ decision: "skipped", reason });
    const stored = await db.prisma.completedCall.findFirstOrThrow({
      where: { externalCallId: c.externalCallId },
      include: { survey: true },
    });
    expect(stored).toMatchObject({ decision: "skipped", skipReason: reason, callerNumberEnc: null, survey: null });
  });

  it("skips calls that end after hours when the window opens only after expiry", async () => {
    ctx.setNow("2026-03-31T19:00:00Z"); // 21:00 local
    const c = call({
      callerNumber: "070-174 06 12",
      startedAt: "2026-03-31T18:50:00Z",
      endedAt: "2026-03-31T18:58:00Z",
    });
    expect(await (await api.post(c)).json()).toMatchObject({ decision: "skipped", reason: "outside_calling_hours" });
  });

  it("applies the group's own sample rate", async () => {
    await api.post(call({ group: { key: "foretagslotsen" }, callerNumber: "070-174 06 13" }));
    await db.prisma.answerGroup.updateMany({
      where: { organizationId: ctx.organizationId, key: "foretagslotsen" },
      data: { settings: { sampleRate: 0 } },
    });
    const body = await (
      await api.post(call({ group: { key: "foretagslotsen" }, callerNumber: "070-174 06 14" }))
    ).json();
    expect(body).toMatchObject({ decision: "skipped", reason: "not_sampled" });
  });

  it("registers unknown groups and agents on first sight, named by their key when no name is given", async () => {
    await api.post(
      call({ group: { key: "ej-val" }, agent: { externalId: "agent-99" }, callerNumber: "070-174 06 15" }),
    );
    expect(
      await db.prisma.answerGroup.findFirst({ where: { organizationId: ctx.organizationId, key: "ej-val" } }),
    ).toMatchObject({ name: "ej-val" });
    expect(
      await db.prisma.agent.findFirst({ where: { organizationId: ctx.organizationId, externalId: "agent-99" } }),
    ).toMatchObject({ name: null });
    await api.post(
      call({
        group: { key: "ej-val", name: "Ej val" },
        agent: { externalId: "agent-99" },
        callerNumber: "070-174 06 16",
      }),
    );
    expect(
      await db.prisma.answerGroup.findFirst({ where: { organizationId: ctx.organizationId, key: "ej-val" } }),
    ).toMatchObject({ name: "Ej val" });
  });

  it("never returns or logs the caller's number unmasked", async () => {
    const c = call({ callerNumber: "+46701740617" });
    const texts = [await (await api.post(c)).text(), await (await api.get(c.externalCallId)).text()];
    const logText = JSON.stringify(ctx.logs);
    expect(ctx.logs.some((l) => l.message === "call decided" && l.caller === "+4670*****17")).toBe(true);
    for (const text of [...texts, logText]) {
      expect(text).not.toContain("46701740617");
      expect(text).not.toContain("701740617");
    }
  });

  describe("GET /api/v1/calls/{externalCallId}", () => {
    it("returns the decision, and the survey with its answers and voice message", async () => {
      const c = call({ callerNumber: "070-174 06 18" });
      await api.post(c);
      const survey = await db.prisma.surveyCall.findFirstOrThrow({
        where: { completedCall: { externalCallId: c.externalCallId } },
      });
      await db.prisma.surveyCall.update({ where: { id: survey.id }, data: { state: "completed", attempts: 1 } });
      const base = {
        surveyId: survey.id,
        organizationId: ctx.organizationId,
        groupId: survey.groupId,
        agentId: survey.agentId,
        flowId: "nki-sv",
        flowVersion: "1",
      };
      await db.prisma.answer.createMany({
        data: [
          { ...base, questionKey: "bemotande", score: 5, answeredAt: new Date("2026-03-31T08:02:00Z") },
          { ...base, questionKey: "kunskap", score: 4, answeredAt: new Date("2026-03-31T08:02:10Z") },
        ],
      });
      await db.prisma.voiceMessage.create({
        data: {
          ...base,
          flowId: undefined,
          flowVersion: undefined,
          recordingSid: "RE0001",
          durationSeconds: 23,
          recordedAt: new Date("2026-03-31T08:03:00Z"),
        } as never,
      });
      const res = await api.get(c.externalCallId);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        externalCallId: c.externalCallId,
        decision: "scheduled",
        reason: null,
        dueAt: "2026-03-31T08:00:55.000Z",
        survey: {
          state: "completed",
          attempts: 1,
          answers: [
            { questionKey: "bemotande", score: 5, answeredAt: "2026-03-31T08:02:00.000Z" },
            { questionKey: "kunskap", score: 4, answeredAt: "2026-03-31T08:02:10.000Z" },
          ],
          voiceMessage: { durationSeconds: 23 },
        },
      });
    });

    it("returns a skipped call without a survey", async () => {
      const c = call({ callerNumber: "anonymous" });
      await api.post(c);
      expect(await (await api.get(c.externalCallId)).json()).toEqual({
        externalCallId: c.externalCallId,
        decision: "skipped",
        reason: "hidden_number",
        dueAt: null,
        survey: null,
      });
    });

    it("does not show another organization's calls", async () => {
      const c = call();
      await api.post(c);
      const other = await createTestContext(db, { now: NOW });
      const otherApi = await intakeClient(other, app.url);
      expect((await otherApi.get(c.externalCallId)).status).toBe(404);
      expect((await (await otherApi.get(c.externalCallId)).json()).error.code).toBe("not_found");
    });
  });

  it("ensures a seeded API key once, usable at once, and never for a second organization", async () => {
    const secret = "seed-key-for-the-test-0123456789";
    const first = await ensureApiKey(db.prisma, ctx.organizationId, secret, "SEED_API_KEY");
    expect(await ensureApiKey(db.prisma, ctx.organizationId, secret, "SEED_API_KEY")).toEqual(first);
    expect(await db.prisma.apiKey.count({ where: { name: "SEED_API_KEY" } })).toBe(1);
    const res = await api.post(call({ callerNumber: "070-174 06 19" }), { authorization: `Bearer ${secret}` });
    expect(res.status).toBe(200);
    const other = await db.prisma.organization.create({ data: { slug: "annan-kommun", name: "Annan kommun" } });
    await expect(ensureApiKey(db.prisma, other.id, secret, "SEED_API_KEY")).rejects.toMatchObject({ code: "conflict" });
  });

  it("documents both routes in the OpenAPI document", async () => {
    const doc = await (await fetch(`${app.url}/api/openapi.json`)).json();
    expect(doc.paths["/api/v1/calls/completed"].post.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths["/api/v1/calls/{externalCallId}"].get).toBeDefined();
    expect(doc.components.schemas.CompletedCall.required).toEqual(
      expect.arrayContaining(["externalCallId", "agent", "group", "startedAt", "endedAt", "queueSeconds"]),
    );
  });
});
