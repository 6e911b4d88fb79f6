import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { dispatchTick, stopDispatcher } from "../src/dispatch/dispatcher.js";
import { createTwilioClient } from "../src/telephony/client.js";
import {
  createPersona,
  startSimulator,
  type CallSummary,
  type RunningSimulator,
} from "../src/telephony/simulator/index.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { call, intakeClient } from "./intake-helpers.js";

const citizen = (seed: number) =>
  createPersona(seed, {
    pickup: "answer",
    machine: false,
    amd: { verdict: "human", seconds: 1 },
    bargeIn: false,
    optOutAt: null,
    hangUpAt: null,
    silentAt: [],
    invalidAt: [],
    message: { seconds: 0, end: "#" },
  });

/**
 * Shutdown of one instance mid-survey, two instances on one database behind
 * one address (a load balancer, modelled by a listener that forwards to the
 * current instance's app): A dials, A stops (stopDispatcher is the first thing
 * SIGTERM does in service.stop()), B serves the rest of the call's webhooks
 * and dials what comes next. The survey completes; nobody dials it twice.
 */
describe("an instance stopping mid-survey", () => {
  let db: TestDatabase;
  let a: TestContext;
  let b: TestContext;
  let sim: RunningSimulator;
  let lb: Server;
  const served = { a: 0, b: 0 };
  const ended: CallSummary[] = [];
  type Upstream = { name: "a" | "b"; app: (req: IncomingMessage, res: ServerResponse) => void };
  let forward: Upstream;
  let instanceB: Upstream;

  beforeAll(async () => {
    db = await createTestDatabase();
    lb = createServer((req, res) => {
      if (req.url?.startsWith("/twilio/")) served[forward.name]++;
      forward.app(req, res);
    });
    await new Promise<void>((r) => lb.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(lb.address() as AddressInfo).port}`;
    const make = async (instanceId: string) => {
      const ctx = await createTestContext(db, {
        env: { PUBLIC_BASE_URL: base, DISPATCH_CALLS_PER_SECOND: "50" },
        settings: { callingHours: "always", skipPublicHolidays: false, surveyDelaySeconds: 0, repeatWindowDays: 0 },
      });
      ctx.instanceId = instanceId;
      // Two processes share the wall clock.
      ctx.now = () => new Date();
      return ctx;
    };
    a = await make("instance-a");
    b = await make("instance-b");
    b.organizationId = a.organizationId;
    // Slow enough that the citizen is still answering when A stops.
    sim = await startSimulator({ ...a.twilioCredentials, timeScale: 0.02, logger: a.logger });
    sim.onCallEnded((s) => ended.push(s));
    for (const ctx of [a, b]) {
      ctx.twilioCredentials = { ...ctx.twilioCredentials, apiUrl: sim.url };
      ctx.twilio = createTwilioClient(ctx.twilioCredentials);
    }
    forward = { name: "a", app: createApp(a) };
    instanceB = { name: "b", app: createApp(b) };
  });
  afterAll(async () => {
    await sim?.stop();
    lb?.closeAllConnections();
    await new Promise((r) => lb?.close(r));
    await db?.close();
  });

  async function post(ctx: TestContext, n: string) {
    const number = `+467017406${n}`;
    sim.registerCitizen(number, citizen(Number(n)));
    const end = Date.now() - 5_000;
    const body = call({
      externalCallId: `shutdown-${n}-${Date.now()}`,
      callerNumber: `070-174 06 ${n}`,
      startedAt: new Date(end - 240_000).toISOString(),
      endedAt: new Date(end).toISOString(),
      queueSeconds: 60,
    });
    const api = await intakeClient(ctx, ctx.config.publicBaseUrl);
    expect((await api.post(body)).status).toBe(200);
    const s = await db.prisma.surveyCall.findFirstOrThrow({
      where: { completedCall: { externalCallId: body.externalCallId } },
    });
    return { id: s.id, number };
  }

  const state = async (id: string) => (await db.prisma.surveyCall.findUniqueOrThrow({ where: { id } })).state;

  async function until(what: string, ok: () => Promise<boolean>) {
    const deadline = Date.now() + 30_000;
    while (!(await ok())) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}: ${JSON.stringify(await db.prisma.surveyCall.findMany({ select: { state: true, outcome: true, claimedBy: true, attempts: true } }))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("completes the survey A dialled through B's webhooks, and only B dials afterwards", async () => {
    const first = await post(a, "81");
    expect((await dispatchTick(a)).dialled).toBe(1);
    await until("the citizen to answer", async () => (await state(first.id)) === "in_progress");

    // SIGTERM on A: claims stop at once; the load balancer sends the call's next webhooks to B.
    stopDispatcher(a);
    forward = instanceB;

    const second = await post(b, "82");
    expect(await dispatchTick(a)).toEqual({ expired: 0, claimed: 0, dialled: 0, deferred: 0 });
    await until("both surveys to complete", async () => {
      await dispatchTick(b);
      return (await state(first.id)) === "completed" && (await state(second.id)) === "completed";
    });
    await sim.idle();

    expect(served.a).toBeGreaterThan(0);
    expect(served.b).toBeGreaterThan(0);
    // Exactly one call to each citizen: no double dial.
    expect(ended.filter((s) => s.to === first.number)).toHaveLength(1);
    expect(ended.filter((s) => s.to === second.number)).toHaveLength(1);
    const claims = await db.prisma.surveyEvent.findMany({
      where: { surveyId: { in: [first.id, second.id] }, type: "claimed" },
      orderBy: { id: "asc" },
    });
    expect(claims.map((e) => [e.surveyId, (e.detail as { instance: string }).instance])).toEqual([
      [first.id, "instance-a"],
      [second.id, "instance-b"],
    ]);
    const answers = await db.prisma.answer.count({ where: { surveyId: first.id } });
    expect(answers).toBe(7);
  });
});
