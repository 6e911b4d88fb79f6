import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { markSending, SEND_DEADLINE_MS } from "../src/dispatch/fence.js";
import { reconcileStale } from "../src/dispatch/reconcile.js";
import { claimDueSurveys } from "../src/dispatch/repository.js";
import { createPrisma } from "../src/lib/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { CALLS_PATH, callResource, clearSurveys, createSurvey, sid, survey } from "./support/dispatch-fixtures.js";

const T0 = new Date("2026-11-24T09:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** A promise with its resolver: where a test holds a dispatcher "paused". */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe("fencing: no call for a claim its holder no longer has", () => {
  let db: TestDatabase;
  let a: TestContext;
  let b: TestContext;
  const pools: ReturnType<typeof createPrisma>[] = [];
  const onServer = Boolean(process.env.TEST_DATABASE_URL);
  /** Every calls.create that reached "Twilio", by number. */
  let created: string[] = [];

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    a = await createTestContext(db, { now: T0, settings: { callingHours: "always", skipPublicHolidays: false } });
    // Two instances, each with its own connection pool on a real server. pglite-socket interleaves concurrent
    // connections' messages (electric-sql/pglite#1046), so on the embedded database they share one connection.
    const poolA = createPrisma(db.url, onServer ? 5 : 1);
    const poolB = onServer ? createPrisma(db.url, 5) : poolA;
    pools.push(poolA);
    if (poolB !== poolA) pools.push(poolB);
    b = { ...a, instanceId: "instance-b", prisma: poolB };
    a.prisma = poolA;
    a.instanceId = "instance-a";
  });
  beforeEach(async () => {
    a.setNow(T0);
    await clearSurveys(a);
    created = [];
    nock("https://api.twilio.com")
      .post(CALLS_PATH)
      .reply(201, (_uri, body) => {
        const to = new URLSearchParams(body as string).get("To")!;
        created.push(to);
        return callResource(sid("CA"), to);
      })
      .persist();
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    nock.enableNetConnect();
    for (const p of pools) await p.$disconnect();
    await db?.close();
  });

  it("two dispatchers claiming in parallel on separate pools never hold the same survey", async () => {
    for (let i = 0; i < 120; i++) await createSurvey(a);
    const claims = { a: [] as string[], b: [] as string[] };
    const claim = async (ctx: TestContext, into: string[]) => {
      const rows = await claimDueSurveys(ctx.prisma, {
        instanceId: ctx.instanceId,
        now: T0,
        limit: 4,
        maxConcurrent: 1000,
      });
      into.push(...rows.map((r) => r.survey.id));
    };
    // Several claims of each instance in flight at once, round after round, until the queue is empty.
    for (let round = 0; round < 40; round++) {
      await Promise.all([claim(a, claims.a), claim(b, claims.b), claim(a, claims.a), claim(b, claims.b)]);
      if (claims.a.length + claims.b.length >= 120) break;
    }
    const all = [...claims.a, ...claims.b];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(120);
    const events = await a.prisma.surveyEvent.count({ where: { type: "claimed" } });
    expect(events).toBe(120);
  });

  it("paused before its send mark past the claim's lifetime while the other takes over: exactly one call", async () => {
    const s = await createSurvey(a);
    const pause = gate();
    const paused = gate();
    const tickA = dispatchTick(a, {
      hooks: {
        beforeMark: async () => {
          paused.open();
          await pause.opened;
        },
      },
    });
    await paused.opened;
    expect((await survey(a, s.id)).claimedBy).toBe("instance-a");

    a.setNow(minutes(2)); // the shared clock moves on while A is stopped
    expect(await reconcileStale(b)).toBe(1); // no send mark: rescheduled without asking Twilio (no GET mocked)
    expect(await survey(a, s.id)).toMatchObject({ state: "scheduled", attempts: 0 });
    a.setNow(minutes(60));
    // A wakes up while B holds the new claim, marked, its request not yet answered (no Call SID stored).
    const bMarked = gate();
    const bGo = gate();
    const tickB = dispatchTick(b, {
      hooks: {
        beforeSend: async () => {
          bMarked.open();
          await bGo.opened;
        },
      },
    });
    await bMarked.opened;
    pause.open();
    expect((await tickA).dialled).toBe(0);
    bGo.open();
    expect((await tickB).dialled).toBe(1);
    expect(created).toEqual([s.number]);
    expect(await survey(a, s.id)).toMatchObject({ state: "dialling", claimedBy: "instance-b", attempts: 1 });
    expect(a.logs.some((l) => String(l.message).startsWith("claim lost before the send"))).toBe(true);
  });

  it("paused after its send mark: the other asks Twilio, reschedules only after the deadline, and the late one never sends", async () => {
    const s = await createSurvey(a);
    let mono = 0;
    const pause = gate();
    const paused = gate();
    const tickA = dispatchTick(a, {
      monotonicNow: () => mono,
      hooks: {
        beforeSend: async () => {
          paused.open();
          await pause.opened;
        },
      },
    });
    await paused.opened;
    expect((await survey(a, s.id)).sendingAt).not.toBeNull();

    // A stopped for two minutes: both its clocks move on, and B finds the claim stale.
    mono += 120_000;
    a.setNow(minutes(2));
    const listed: Record<string, string>[] = [];
    nock("https://api.twilio.com")
      .get(CALLS_PATH)
      .query((q) => {
        listed.push(q as Record<string, string>);
        return true;
      })
      .reply(200, { calls: [], next_page_uri: null, page: 0, page_size: 20 });
    expect(await reconcileStale(b)).toBe(1);
    expect(listed).toHaveLength(1); // a marked claim is rescheduled only on Twilio's word
    expect(await survey(a, s.id)).toMatchObject({ state: "scheduled", attempts: 0 });
    a.setNow(minutes(60));
    expect((await dispatchTick(b)).dialled).toBe(1);

    pause.open();
    expect((await tickA).dialled).toBe(0);
    expect(created).toEqual([s.number]);
    const row = await survey(a, s.id);
    expect(row).toMatchObject({ state: "dialling", claimedBy: "instance-b", attempts: 1 });
    expect(row.callSid).not.toBeNull();
  });

  it("a recent send mark with no call listed yet is left alone: the call may still be placed", async () => {
    const s = await createSurvey(a, { state: "dialling", attempts: 1, claimedAt: minutes(-1) });
    await a.prisma.surveyCall.update({
      where: { id: s.id },
      data: { claimToken: crypto.randomUUID(), sendingAt: new Date(T0.getTime() - 10_000) },
    });
    nock("https://api.twilio.com")
      .get(CALLS_PATH)
      .query(true)
      .reply(200, { calls: [], next_page_uri: null, page: 0, page_size: 20 });
    expect(await reconcileStale(b)).toBe(1);
    expect(await survey(a, s.id)).toMatchObject({ state: "dialling", attempts: 1, claimedBy: "instance-b" });
    expect(nock.pendingMocks().filter((m) => m.startsWith("GET"))).toEqual([]);
  });

  it("the send mark needs the claim's token and an unexpired lease, and its deadline runs on the monotonic clock", async () => {
    await createSurvey(a);
    const [c] = await claimDueSurveys(a.prisma, { instanceId: "instance-a", now: T0, limit: 1, maxConcurrent: 10 });
    expect(await markSending(a, { id: c.survey.id, claimToken: crypto.randomUUID() })).toBeNull();

    let mono = 1_000;
    const fence = await markSending(a, c.survey, { monotonicNow: () => mono });
    expect(fence?.holds()).toBe(true);
    mono += SEND_DEADLINE_MS; // the wall clock stands still: the monotonic clock alone ends it
    expect(fence?.holds()).toBe(false);

    await a.prisma.$executeRawUnsafe(
      `UPDATE "SurveyCall" SET "claimLeaseUntil" = clock_timestamp() - interval '1 second', "sendingAt" = NULL WHERE id = $1::uuid`,
      c.survey.id,
    );
    expect(await markSending(a, c.survey)).toBeNull();
  });
});
