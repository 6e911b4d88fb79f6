import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { reconcileStale } from "../src/dispatch/reconcile.js";
import { createPrisma } from "../src/lib/db.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import {
  CALLS_PATH,
  callPath,
  callResource,
  clearSurveys,
  createSurvey,
  sid,
  survey,
} from "./support/dispatch-fixtures.js";

const T0 = "2026-11-24T09:00:00Z";

/** Largest number of timestamps inside any half-open window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("several service instances on one database; restarts", () => {
  let db: TestDatabase;
  let a: TestContext;
  let b: TestContext;
  const pools: ReturnType<typeof createPrisma>[] = [];
  const twilio = () => nock("https://api.twilio.com");

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    a = await createTestContext(db, {
      env: { DISPATCH_CALLS_PER_SECOND: "5" },
      now: T0,
      settings: { callingHours: "always", skipPublicHolidays: false },
    });
    // A second instance: its own instance id (and, on a real server, its own connection pool), the same database and keys.
    // pglite-socket interleaves extended-protocol messages of concurrent connections (electric-sql/pglite#1046),
    // so on the embedded database, which serves one instance anyway, both share one single-connection pool.
    const pool = createPrisma(db.url, process.env.TEST_DATABASE_URL ? 5 : 1);
    pools.push(pool);
    b = {
      ...a,
      instanceId: "instance-b",
      prisma: process.env.TEST_DATABASE_URL ? createPrisma(db.url, 5) : pool,
    };
    if (b.prisma !== pool) pools.push(b.prisma);
    a.prisma = pool;
    a.instanceId = "instance-a";
  });
  beforeEach(async () => {
    a.setNow(T0);
    await clearSurveys(a);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    for (const p of pools) await p.$disconnect();
    await db?.close();
  });

  it("two dispatchers ticking at once dial every survey exactly once and together keep 5 calls per second", async () => {
    const surveys = [];
    for (let i = 0; i < 14; i++) surveys.push(await createSurvey(a));
    const sent: { to: string }[] = [];
    // The slot on the shared clock each send waited for: what the dispatchers control and the limit is made of.
    // (When a request then leaves, or arrives, depends on the machine's load; bench/dispatch.ts measures that.)
    const slots: number[] = [];
    const opts = {
      hooks: {
        beforeSend: async (_surveyId: string, slotAtMs: number) => {
          slots.push(slotAtMs);
        },
      },
    };
    twilio()
      .post(CALLS_PATH)
      .times(14)
      .reply(201, (_uri, body) => {
        const to = new URLSearchParams(body as string).get("To")!;
        sent.push({ to });
        return callResource(sid("CA"), to);
      });

    for (let round = 0; round < 10 && sent.length < 14; round++)
      await Promise.all([dispatchTick(a, opts), dispatchTick(b, opts)]);

    expect(sent).toHaveLength(14);
    expect(new Set(sent.map((s) => s.to))).toEqual(new Set(surveys.map((s) => s.number)));
    expect(slots).toHaveLength(14);
    // Both instances book on one clock: no two sends share a slot, slots are at least 1/cps apart, so no second holds six.
    const sorted = [...slots].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(1000 / 5);
    expect(maxInWindow(slots, 1000)).toBeLessThanOrEqual(5);
    const rows = await a.prisma.surveyCall.findMany({ select: { state: true, attempts: true, claimedBy: true } });
    expect(rows.every((r) => r.state === "dialling" && r.attempts === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.claimedBy))).toEqual(new Set(["instance-a", "instance-b"]));
  });

  it("restart mid-call: a survey a dead instance left dialling is reconciled from Twilio, never dialled again", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(a, {
      state: "dialling",
      attempts: 1,
      callSid,
      claimedAt: new Date("2026-11-24T08:40:00Z"),
    });
    // The new instance's dispatcher does not touch it (no POST /Calls is mocked).
    await dispatchTick(b);
    twilio()
      .get(callPath(callSid))
      .reply(200, callResource(callSid, s.number, "no-answer"));
    expect(await reconcileStale(b)).toBe(1);
    expect(await survey(a, s.id)).toMatchObject({
      state: "scheduled",
      attempts: 1,
      outcome: "no_answer",
      nextAttemptAt: new Date("2026-11-24T09:15:00Z"),
    });
  });

  it("restart mid-call: a survey left in progress whose call ended is closed with the answers it has", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(a, {
      state: "in_progress",
      attempts: 1,
      callSid,
      claimedAt: new Date("2026-11-24T08:40:00Z"),
    });
    const row = await survey(a, s.id);
    await a.prisma.answer.create({
      data: {
        surveyId: s.id,
        organizationId: row.organizationId,
        groupId: row.groupId,
        agentId: row.agentId,
        flowId: "nki-sv",
        flowVersion: "1",
        questionKey: "q1",
        score: 5,
        answeredAt: new Date(T0),
      },
    });
    twilio()
      .get(callPath(callSid))
      .reply(200, callResource(callSid, s.number, "completed"));
    await reconcileStale(a);
    expect(await survey(a, s.id)).toMatchObject({ state: "partial", outcome: "hung_up" });
  });

  it("a call still live at Twilio is left alone, and two reconcilers fetch it only once", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(a, {
      state: "in_progress",
      attempts: 1,
      callSid,
      claimedAt: new Date("2026-11-24T08:40:00Z"),
    });
    twilio()
      .get(callPath(callSid))
      .once()
      .reply(200, callResource(callSid, s.number, "in-progress"));
    await Promise.all([reconcileStale(a), reconcileStale(b)]);
    expect((await survey(a, s.id)).state).toBe("in_progress");
    // Looked at again only after another full call lifetime.
    expect(await reconcileStale(a)).toBe(0);
  });

  it("restart while calls.create was in flight: the call Twilio created is found and its outcome applied", async () => {
    const s = await createSurvey(a, { state: "dialling", attempts: 1, claimedAt: new Date("2026-11-24T08:58:00Z") });
    const created = sid("CA");
    twilio()
      .get(CALLS_PATH)
      .query(true)
      .reply(200, {
        calls: [callResource(created, s.number, "busy", new Date("2026-11-24T08:58:01Z"))],
        next_page_uri: null,
        page: 0,
        page_size: 20,
      });
    await reconcileStale(b);
    expect(await survey(a, s.id)).toMatchObject({ state: "scheduled", callSid: created, outcome: "busy", attempts: 1 });
  });
});
