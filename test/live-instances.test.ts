import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { createSession } from "../src/auth/sessions.js";
import { createPrisma, type Prisma } from "../src/lib/db.js";
import { createLocalEventBus } from "../src/lib/events.js";
import { createPgEventBus, type PgEventBus } from "../src/realtime/pg-bus.js";
import { createUser } from "./review.fixtures.js";
import { createSurvey, sid } from "./support/dispatch-fixtures.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { signedPost } from "./support/twilio.js";

interface LiveMessage {
  mine: boolean;
  answers: number;
}

/** Reads a Server-Sent Events response and keeps every `results` message. */
function readStream(res: Response): { messages: LiveMessage[]; stop(): Promise<void> } {
  const messages: LiveMessage[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const done = (async () => {
    for (;;) {
      const { value, done: ended } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (ended) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (!block.includes("event: results")) continue;
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (data) messages.push(JSON.parse(data.slice(6)) as LiveMessage);
      }
    }
  })();
  return {
    messages,
    async stop() {
      await reader.cancel().catch(() => undefined);
      await done;
    },
  };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Issue 12's two-instance live page: two service instances on one PostgreSQL
 * server, each with its own pool and its own LISTEN/NOTIFY bus. The citizen's
 * keypress lands on A; the agent's live page is served by B and moves. Then A
 * stops mid-traffic and B carries on alone. The embedded database serves one
 * instance only (its NOTIFY does not cross connections), so this runs on a server.
 */
const serverUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!serverUrl)("the live page across two instances", () => {
  if (!serverUrl) console.warn("skipped: two instances need a PostgreSQL server; set TEST_DATABASE_URL");
  const T0 = "2026-11-24T09:00:00Z";
  let db: TestDatabase;
  let prismaB: Prisma;
  let a: TestContext;
  let b: TestContext;
  let busA: PgEventBus;
  let busB: PgEventBus;
  let appA: Awaited<ReturnType<typeof startTestApp>>;
  let appB: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    const base = await createTestContext(db, { now: T0 });
    prismaB = createPrisma(db.url, 2);
    busA = createPgEventBus({ url: db.url, local: base.events, logger: base.logger });
    // Each instance has its own in-process bus: only NOTIFY may carry an event from A to B.
    busB = createPgEventBus({ url: db.url, local: createLocalEventBus(), logger: base.logger });
    await Promise.all([busA.ready, busB.ready]);
    a = { ...base, instanceId: "instance-a", events: busA };
    b = { ...base, instanceId: "instance-b", prisma: prismaB, events: busB };
    [appA, appB] = await Promise.all([startTestApp(a), startTestApp(b)]);
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await appA?.close();
    await appB?.close();
    await busA?.stop();
    await busB?.stop();
    await prismaB?.$disconnect();
    await db?.close();
  });

  /** Starts the survey on the given instance and presses 5 on its first question there. */
  async function keypress(url: string, ctx: TestContext, surveyId: string): Promise<void> {
    const callSid = (await ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id: surveyId } })).callSid!;
    const voice = await signedPost(url, `/twilio/voice?surveyId=${surveyId}`, { CallSid: callSid }, ctx);
    const twiml = await voice.text();
    const action = [...twiml.matchAll(/action="([^"]+)"/g)]
      .map((m) => m[1].replaceAll("&amp;", "&"))
      .find((u) => u.includes("/twilio/gather") && !u.includes("step=intro"));
    expect(action, twiml).toBeDefined();
    const path = action!.replace(/^https?:\/\/[^/]+/, "");
    const res = await signedPost(url, path, { CallSid: callSid, Digits: "5" }, ctx);
    expect(res.status).toBe(200);
    expect(await ctx.prisma.answer.count({ where: { surveyId } })).toBe(1);
  }

  it("a keypress on A moves the agent's live page on B; after A stops, B carries on", async () => {
    const first = await createSurvey(a, { state: "dialling", callSid: sid("CA") });
    const { agentId } = await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: first.id } });
    const agent = await createUser(prismaB, b.organizationId, "agent", agentId);
    const session = await createSession(prismaB, { userId: agent.id, now: b.now(), policy: sessionPolicy(b.config) });
    const res = await fetch(`${appB.url}/api/v1/results/stream`, {
      headers: { cookie: `${sessionCookieName(b.config)}=${session.id}`, accept: "text/event-stream" },
    });
    expect(res.status).toBe(200);
    const stream = readStream(res);
    try {
      await until("the first snapshot from B", () => stream.messages.length >= 1);
      expect(stream.messages[0].mine).toBe(false);

      await keypress(appA.url, a, first.id);
      await until("B to push the answer stored on A", () => stream.messages.some((m) => m.mine));
      const afterFirst = stream.messages.length;

      // A stops mid-traffic: its server and its bus go away; B serves the next call alone.
      await appA.close();
      await busA.stop();
      const second = await createSurvey(b, { state: "dialling", callSid: sid("CA") });
      await keypress(appB.url, b, second.id);
      await until("B to push the answer it stored itself", () => stream.messages.slice(afterFirst).some((m) => m.mine));
      expect(await db.prisma.answer.count()).toBe(2);
    } finally {
      await stream.stop();
    }
  });
});
