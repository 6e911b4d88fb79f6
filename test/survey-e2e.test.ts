import { existsSync, statSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { processDueVoiceMessages } from "../src/recordings/voice-messages.js";
import { createTwilioClient } from "../src/telephony/client.js";
import {
  createPersona,
  startSimulator,
  type Persona,
  type RunningSimulator,
} from "../src/telephony/simulator/index.js";
import { plannedScore, type PersonaOverrides } from "../src/telephony/simulator/personas.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { call, intakeClient } from "./intake-helpers.js";

/**
 * The whole path of a survey call with nothing mocked but the citizen: a
 * completed call posted to the intake API, the real dispatcher placing it
 * through twilio-node, the Twilio simulator ringing a virtual citizen who
 * answers the real flow's TwiML and sends Twilio's signed callbacks, and the
 * voice message downloaded, stored and deleted at "Twilio".
 */
const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
const FINAL = ["completed", "partial", "no_answer", "machine", "failed", "opted_out", "expired", "canceled"];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const citizen = (seed: number, o: PersonaOverrides = {}): Persona =>
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
    ...o,
  });

describe("a survey call end to end through dispatch and the Twilio simulator", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let sim: RunningSimulator;
  let server: Server;
  let api: Awaited<ReturnType<typeof intakeClient>>;
  let serial = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    ctx = await createTestContext(db, {
      env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DISPATCH_CALLS_PER_SECOND: "50" },
      settings: { callingHours: "always", skipPublicHolidays: false, surveyDelaySeconds: 0, repeatWindowDays: 0 },
    });
    sim = await startSimulator({ ...ctx.twilioCredentials, timeScale: 0, logger: ctx.logger });
    // The production client and the recording download, pointed at the simulator as TWILIO_API_URL points them.
    ctx.twilioCredentials = { ...ctx.twilioCredentials, apiUrl: sim.url };
    ctx.twilio = createTwilioClient(ctx.twilioCredentials);
    server = await new Promise<Server>((resolve) => {
      const s = createApp(ctx).listen(port, "127.0.0.1", () => resolve(s));
    });
    api = await intakeClient(ctx, ctx.config.publicBaseUrl);
  });
  beforeEach(() => ctx.setNow(new Date()));
  afterAll(async () => {
    await sim?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  /** A completed call that ended five seconds ago. */
  const justEnded = (externalCallId: string, callerNumber: string) => {
    const end = ctx.now().getTime() - 5_000;
    return call({
      externalCallId,
      callerNumber,
      startedAt: new Date(end - 240_000).toISOString(),
      endedAt: new Date(end).toISOString(),
      queueSeconds: 60,
    });
  };

  /** Posts a completed call for a new number whose citizen behaves as `persona`; returns the survey id. */
  async function callCompleted(persona: Persona): Promise<{ surveyId: string; number: string }> {
    serial += 1;
    // PTS's fiction range 070-174 06 05 … 99: never a real subscriber.
    const nn = String(40 + serial);
    const local = `070-174 06 ${nn}`;
    const number = `+467017406${nn}`;
    sim.registerCitizen(number, persona);
    const body = justEnded(`e2e-${serial}-${Date.now()}`, local);
    const res = await api.post(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: "scheduled" });
    const s = await db.prisma.surveyCall.findFirstOrThrow({
      where: { completedCall: { externalCallId: body.externalCallId } },
      select: { id: true },
    });
    return { surveyId: s.id, number };
  }

  /** Ticks the dispatcher and the voice-message job until the survey has settled. */
  async function runUntilSettled(
    surveyId: string,
    settled: (s: { state: string }) => boolean = (s) => FINAL.includes(s.state),
  ) {
    const until = Date.now() + 10_000;
    for (;;) {
      await dispatchTick(ctx);
      await sim.idle();
      await processDueVoiceMessages(ctx);
      const s = await db.prisma.surveyCall.findUniqueOrThrow({
        where: { id: surveyId },
        include: { answers: true, voiceMessage: true, events: { orderBy: { id: "asc" } } },
      });
      const pending = s.voiceMessage?.state === "pending";
      if (settled(s) && !pending) return s;
      if (Date.now() > until)
        throw new Error(`survey still ${s.state}, voice message ${JSON.stringify(s.voiceMessage)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("completes: seven answers as the citizen pressed them, the voice message stored here and deleted at Twilio, the number erased", async () => {
    const persona = citizen(101, { message: { seconds: 9, end: "#" } });
    const { surveyId } = await callCompleted(persona);
    const s = await runUntilSettled(surveyId);
    expect(s.state).toBe("completed");
    expect(s.attempts).toBe(1);
    expect(s.answeredBy).toBe("human");
    const answers = Object.fromEntries(s.answers.map((a) => [a.questionKey, a.score]));
    expect(answers).toEqual(Object.fromEntries(KEYS.map((k) => [k, plannedScore(persona, k)])));
    expect(s.answers.every((a) => a.flowId === "nki-sv" && a.flowVersion === ctx.flows.getFlow("nki-sv").version)).toBe(
      true,
    );

    // The simulator serves the MP3 the service asks for (RECORDING_FORMAT=mp3), stored encrypted.
    expect(s.voiceMessage).toMatchObject({ state: "stored", durationSeconds: 9, contentType: "audio/mpeg" });
    const file = path.join(ctx.config.DATA_DIR, "recordings", s.voiceMessage!.storageKey!);
    expect(existsSync(file)).toBe(true);
    expect(await ctx.storage.size(s.voiceMessage!.storageKey!)).toBe(s.voiceMessage!.sizeBytes);
    expect(statSync(file).size).toBeGreaterThan(s.voiceMessage!.sizeBytes!);
    const atTwilio = await ctx.twilio
      .recordings(s.voiceMessage!.recordingSid)
      .fetch()
      .then(
        () => "exists",
        (e: { status?: number }) => e.status,
      );
    expect(atTwilio).toBe(404);

    const types = s.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(["scheduled", "claimed"]);
    expect(types).toContain("flow-started");
    expect(types).toContain("questions-done");
    const call = await db.prisma.completedCall.findFirstOrThrow({
      where: { survey: { id: surveyId } },
      select: { callerNumberEnc: true, callerHash: true },
    });
    expect(call.callerNumberEnc).toBeNull();
    expect(call.callerHash).not.toBeNull();
  });

  it("when the citizen hangs up during question 4, keeps the three answers and marks the survey partial", async () => {
    const persona = citizen(202, { hangUpAt: 3 });
    const { surveyId } = await callCompleted(persona);
    const s = await runUntilSettled(surveyId);
    expect(s.state).toBe("partial");
    expect(s.answers.map((a) => a.questionKey).sort()).toEqual(KEYS.slice(0, 3).sort());
    expect(s.voiceMessage).toBeNull();
  });

  it("no answer: tried again 15 minutes later, then completed on the second attempt", async () => {
    const { surveyId, number } = await callCompleted(citizen(303, { pickup: "no-answer" }));
    const first = await runUntilSettled(
      surveyId,
      (s) => s.state === "scheduled" && (s as { attempts?: number }).attempts === 1,
    );
    expect(first.outcome).toBe("no_answer");
    const retryAt = first.nextAttemptAt!.getTime() - ctx.now().getTime();
    expect(retryAt).toBeGreaterThan(14 * 60_000);
    expect(retryAt).toBeLessThanOrEqual(16 * 60_000);
    // Nothing is dialled before it is due.
    expect((await dispatchTick(ctx)).claimed).toBe(0);
    sim.registerCitizen(number, citizen(304));
    ctx.setNow(new Date(first.nextAttemptAt!.getTime() + 1_000));
    const second = await runUntilSettled(surveyId);
    expect(second).toMatchObject({ state: "completed", attempts: 2 });
    expect(second.answers).toHaveLength(7);
  });

  it("an answering machine is hung up on without a survey or a message", async () => {
    const { surveyId } = await callCompleted(
      citizen(404, { machine: true, amd: { verdict: "machine", seconds: 2 }, message: { seconds: 10, end: "hangup" } }),
    );
    const s = await runUntilSettled(surveyId);
    expect(s).toMatchObject({ state: "machine", answeredBy: "machine" });
    expect(s.answers).toEqual([]);
    expect(s.voiceMessage).toBeNull();
  });

  it("star opts the number out: the survey ends, and the number's next call is not surveyed", async () => {
    const persona = citizen(505, { optOutAt: 1 });
    const { surveyId, number } = await callCompleted(persona);
    const s = await runUntilSettled(surveyId);
    expect(s.state).toBe("opted_out");
    expect(s.answers.map((a) => a.questionKey)).toEqual(["svarstid"]);
    expect(
      await db.prisma.optOut.count({
        where: { organizationId: ctx.organizationId, numberHash: ctx.numbers.hash(number) },
      }),
    ).toBe(1);
    const again = await api.post(justEnded(`e2e-again-${Date.now()}`, number));
    expect(await again.json()).toMatchObject({ decision: "skipped", reason: "opted_out" });
  });
});
