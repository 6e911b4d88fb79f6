import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SessionUser } from "../src/auth/middleware.js";
import { createLocalEventBus, type DomainEvent } from "../src/lib/events.js";
import { createLogger } from "../src/lib/logger.js";
import { createPgEventBus } from "../src/realtime/pg-bus.js";
import { createResultsHub, type ResultsMessage } from "../src/realtime/hub.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answer = (orgId: string, agentId: string, i = 0): DomainEvent => ({
  type: "answer.stored",
  organizationId: orgId,
  groupId: "00000000-0000-0000-0000-0000000000g1".replace("g", "a"),
  agentId,
  surveyId: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
  questionKey: "bemotande",
  score: 4,
  answeredAt: new Date(Date.UTC(2026, 2, 2, 9, 0, i)).toISOString(),
});

describe("the results hub behind the live stream", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
  });
  afterAll(async () => db?.close());
  // The hub's debounce and maximum wait run on an injected clock: vitest's fake timers (Date too),
  // advanced explicitly, so a loaded machine cannot make a flush early or late.
  const clock = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 0 });
  afterEach(() => {
    vi.useRealTimers();
  });

  const user = (over: Partial<SessionUser>): SessionUser => ({
    id: "u1",
    organizationId: "org-a",
    email: "a@x.example",
    name: "A",
    role: "agent",
    agentId: "agent-1",
    ...over,
  });

  it("coalesces a burst of answers into one update per viewer, cut by the snapshot to that viewer", async () => {
    clock();
    const calls: string[] = [];
    const hub = createResultsHub(
      ctx,
      async (_c, u, memo) => {
        // Shared work runs once per flush however many viewers there are.
        if (!memo.has("org")) memo.set("org", Promise.resolve(calls.push("org")));
        await memo.get("org");
        return { for: u.id };
      },
      { debounceMs: 50, maxWaitMs: 300 },
    );
    const gotA: ResultsMessage[] = [];
    const gotB: ResultsMessage[] = [];
    const gotOther: ResultsMessage[] = [];
    hub.subscribe(user({ id: "ua", agentId: "agent-1" }), (m) => gotA.push(m));
    hub.subscribe(user({ id: "ub", agentId: "agent-2" }), (m) => gotB.push(m));
    hub.subscribe(user({ id: "uc", organizationId: "org-b", agentId: "agent-9" }), (m) => gotOther.push(m));
    for (let i = 0; i < 10; i++) ctx.events.publish(answer("org-a", "agent-1", i));
    await vi.advanceTimersByTimeAsync(49);
    expect(gotA).toHaveLength(0); // still inside the debounce
    await vi.advanceTimersByTimeAsync(400);
    expect(gotA).toHaveLength(1);
    expect(gotA[0]).toMatchObject({
      answers: 10,
      mine: true,
      results: { for: "ua" },
      answeredAt: "2026-03-02T09:00:09.000Z",
    });
    expect(gotB).toHaveLength(1);
    expect(gotB[0]).toMatchObject({ answers: 10, mine: false, results: { for: "ub" } });
    expect(gotOther).toHaveLength(0); // another organization's answer changes nothing it can see
    expect(calls).toEqual(["org"]);
  });

  it("flushes a steady stream within the maximum wait instead of waiting for quiet", async () => {
    clock();
    const hub = createResultsHub(ctx, async () => ({}), { debounceMs: 100, maxWaitMs: 250 });
    const got: number[] = [];
    hub.subscribe(user({}), () => got.push(Date.now()));
    // An answer every 50 ms never leaves 100 ms of quiet: only the maximum wait flushes.
    for (let i = 0; i < 12; i++) {
      ctx.events.publish(answer("org-a", "agent-1", i));
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got[0]).toBeLessThanOrEqual(250);
  });

  it("stops listening to the bus when the last viewer leaves", async () => {
    clock();
    let computed = 0;
    const hub = createResultsHub(ctx, async () => ++computed, { debounceMs: 10, maxWaitMs: 20 });
    const off = hub.subscribe(user({}), () => {});
    off();
    ctx.events.publish(answer("org-a", "agent-1"));
    await vi.advanceTimersByTimeAsync(60);
    expect(computed).toBe(0);
    expect(hub.subscriberCount()).toBe(0);
  });
});

const isMarker = (e: DomainEvent) => e.type === "answer.stored" && e.agentId.startsWith("marker-");

const serverUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!serverUrl)("events across instances over PostgreSQL LISTEN/NOTIFY", () => {
  if (!serverUrl) console.warn("skipped: LISTEN/NOTIFY needs a real PostgreSQL; set TEST_DATABASE_URL");
  const logger = createLogger("error", { silent: true });

  it("two buses on one server each hear the other's events once, and their own once", async () => {
    const a = createPgEventBus({ url: serverUrl!, local: createLocalEventBus(), logger });
    const b = createPgEventBus({ url: serverUrl!, local: createLocalEventBus(), logger });
    try {
      await Promise.all([a.ready, b.ready]);
      const atA: DomainEvent[] = [];
      const atB: DomainEvent[] = [];
      a.subscribe((e) => atA.push(e));
      b.subscribe((e) => atB.push(e));
      const e1 = answer("org-x", "agent-1", 1);
      const e2 = answer("org-x", "agent-2", 2);
      a.publish(e1);
      b.publish(e2);
      const deadline = Date.now() + 3000;
      const waitFor = async (ok: () => boolean) => {
        while (!ok() && Date.now() < deadline) await sleep(20);
      };
      await waitFor(() => atA.length >= 2 && atB.length >= 2);
      // A barrier instead of a pause: each bus hears the other's marker only after every notification committed
      // before it (PostgreSQL delivers them in commit order), so a duplicate of e1 or e2 would already be here.
      const markA = answer("org-x", "marker-a", 3);
      const markB = answer("org-x", "marker-b", 4);
      a.publish(markA);
      b.publish(markB);
      const heard = (es: DomainEvent[], agentId: string) =>
        es.some((e) => e.type === "answer.stored" && e.agentId === agentId);
      await waitFor(() => heard(atA, "marker-b") && heard(atB, "marker-a"));
      const unmarked = (es: DomainEvent[]) => es.filter((e) => !isMarker(e));
      expect(atA.filter(isMarker)).toHaveLength(2);
      expect(atB.filter(isMarker)).toHaveLength(2);
      expect(unmarked(atA)).toEqual([e1, e2]);
      expect(
        unmarked(atB).sort((x, y) =>
          x.type === "answer.stored" && y.type === "answer.stored" ? x.agentId.localeCompare(y.agentId) : 0,
        ),
      ).toEqual([e1, e2]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
