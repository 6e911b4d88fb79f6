import type { Server } from "node:http";
import { createServer } from "node:net";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import type { AppContext } from "../src/context.js";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { processDueVoiceMessages } from "../src/recordings/voice-messages.js";
import { forgetNumber } from "../src/retention/forget.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { createPersona, startSimulator, type RunningSimulator } from "../src/telephony/simulator/index.js";
import { CALLS_PATH, createSurvey, sid } from "./support/dispatch-fixtures.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { signedPost } from "./support/twilio.js";
import { call, intakeClient } from "./intake-helpers.js";

/**
 * After complete surveys (one answered with a voice message, one Twilio refuses
 * with an error naming the number, one whose status callback names it), no
 * text or JSON column of any table holds a caller's number in any spelling:
 * only the keyed hash links a call to it. Numbers are from PTS's fiction range.
 */
const FINAL = ["completed", "partial", "no_answer", "machine", "failed", "opted_out", "expired", "canceled"];

/** Digits of the national number with up to three separators between them: every common spelling. */
const spellings = (e164: string) => new RegExp(e164.replace(/^\+46/, "").split("").join("[-\\s().\u00a0]{0,3}"));

interface Found {
  table: string;
  column: string;
  value: string;
}

/** Reads every text, varchar and json(b) column of every table and returns the values that hold the number. */
async function scanForNumber(db: TestDatabase, e164: string): Promise<Found[]> {
  const columns = await db.prisma.$queryRawUnsafe<{ table: string; column: string }[]>(
    `SELECT table_name::text AS "table", column_name::text AS "column" FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const pattern = spellings(e164);
  const found: Found[] = [];
  for (const { table, column } of columns) {
    const rows = await db.prisma.$queryRawUnsafe<{ value: string }[]>(
      `SELECT "${column}"::text AS value FROM "${table}" WHERE "${column}" IS NOT NULL`,
    );
    for (const r of rows) if (pattern.test(r.value)) found.push({ table, column, value: r.value });
  }
  return found;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe("numbers never outlive their purpose", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let sim: RunningSimulator;
  let server: Server;
  let api: Awaited<ReturnType<typeof intakeClient>>;
  /** The client of createTestContext: real twilio-node against api.twilio.com, answered by nock. */
  let refusingTwilio: AppContext["twilio"];

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    ctx = await createTestContext(db, {
      env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DISPATCH_CALLS_PER_SECOND: "50" },
      settings: { callingHours: "always", skipPublicHolidays: false, surveyDelaySeconds: 0, repeatWindowDays: 0 },
    });
    refusingTwilio = ctx.twilio;
    sim = await startSimulator({ ...ctx.twilioCredentials, timeScale: 0, logger: ctx.logger });
    ctx.twilioCredentials = { ...ctx.twilioCredentials, apiUrl: sim.url };
    ctx.twilio = createTwilioClient(ctx.twilioCredentials);
    server = await new Promise<Server>((resolve) => {
      const s = createApp(ctx).listen(port, "127.0.0.1", () => resolve(s));
    });
    api = await intakeClient(ctx, ctx.config.publicBaseUrl);
  });
  afterAll(async () => {
    nock.cleanAll();
    await sim?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  async function post(externalCallId: string, callerNumber: string): Promise<string> {
    const end = ctx.now().getTime() - 5_000;
    const res = await api.post(
      call({
        externalCallId,
        callerNumber,
        startedAt: new Date(end - 240_000).toISOString(),
        endedAt: new Date(end).toISOString(),
      }),
    );
    expect(await res.json()).toMatchObject({ decision: "scheduled" });
    const s = await db.prisma.surveyCall.findFirstOrThrow({
      where: { completedCall: { externalCallId } },
      select: { id: true },
    });
    return s.id;
  }

  async function runUntilSettled(surveyId: string, c: AppContext = ctx) {
    const until = Date.now() + 15_000;
    for (;;) {
      await dispatchTick(c);
      await sim.idle();
      await processDueVoiceMessages(ctx);
      const s = await db.prisma.surveyCall.findUniqueOrThrow({
        where: { id: surveyId },
        include: { voiceMessage: true },
      });
      if (FINAL.includes(s.state) && s.voiceMessage?.state !== "pending") return s;
      if (Date.now() > until) throw new Error(`survey still ${s.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("a refused call, an answered one and a failed callback leave no number in any text column", async () => {
    // 1. Twilio refuses the call with a message that names the number.
    const refused = "+46701740605";
    const refusedId = await post(`scan-refused-${Date.now()}`, "070-174 06 05");
    const scope = nock("https://api.twilio.com")
      .post(CALLS_PATH)
      .reply(400, {
        code: 21211,
        message: `The 'To' number ${refused} is not a valid phone number.`,
        more_info: "https://www.twilio.com/docs/errors/21211",
        status: 400,
      });
    const r = await runUntilSettled(refusedId, { ...ctx, twilio: refusingTwilio });
    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ state: "failed", errorCode: "21211" });
    expect(r.errorMessage).toContain("+4670*****05");

    // 2. A citizen answers every question and leaves a voice message.
    const answered = "+46701740606";
    sim.registerCitizen(
      answered,
      createPersona(7, {
        pickup: "answer",
        machine: false,
        amd: { verdict: "human", seconds: 1 },
        bargeIn: false,
        optOutAt: null,
        hangUpAt: null,
        silentAt: [],
        invalidAt: [],
        message: { seconds: 4, end: "#" },
      }),
    );
    const answeredId = await post(`scan-answered-${Date.now()}`, "46 70 174 06 06");
    expect(await runUntilSettled(answeredId)).toMatchObject({ state: "completed" });

    // 3. A status callback whose error message names the number.
    const failed = "+46701740607";
    const dialling = await createSurvey(ctx, { number: failed, state: "dialling", callSid: sid("CA") });
    const callSid = (await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: dialling.id } })).callSid!;
    const res = await signedPost(
      ctx.config.publicBaseUrl,
      `/twilio/status?surveyId=${dialling.id}`,
      {
        CallSid: callSid,
        CallStatus: "failed",
        ErrorCode: "13224",
        ErrorMessage: `Could not reach ${failed} (070-174 06 07)`,
      },
      ctx,
    );
    expect(res.status).toBe(200);
    const afterCallback = await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: dialling.id } });
    expect(afterCallback.state).toBe("failed");
    expect(afterCallback.errorMessage).toContain("*");

    for (const n of [refused, answered, failed]) expect(await scanForNumber(db, n)).toEqual([]);
    // What links a call to its number is the keyed hash, and only that.
    const hashes = await db.prisma.completedCall.count({ where: { callerHash: ctx.numbers.hash(answered) } });
    expect(hashes).toBe(1);
    expect(JSON.stringify(ctx.logs)).not.toMatch(spellings(refused));
  });

  it("the forget command masks the number in every column the scan reads, even where it was stored unscrubbed", async () => {
    const n = "+46701740608";
    const s = await createSurvey(ctx, { number: n, state: "failed", callSid: sid("CA") });
    // As rows written before numbers were scrubbed on the way in looked.
    await db.prisma.surveyCall.update({
      where: { id: s.id },
      data: { errorMessage: `The 'To' number ${n} is not a valid phone number.` },
    });
    await db.prisma.surveyEvent.create({
      data: { surveyId: s.id, at: ctx.now(), type: "dial-failed", detail: { message: "To 070-174 06 08", code: 1 } },
    });
    await db.prisma.agent.create({
      data: { organizationId: ctx.organizationId, externalId: "ext-46701740608", name: "Ring (070) 174 06 08" },
    });
    expect((await scanForNumber(db, n)).map((f) => `${f.table}.${f.column}`).sort()).toEqual([
      "Agent.externalId",
      "Agent.name",
      "SurveyCall.errorMessage",
      "SurveyEvent.detail",
    ]);
    await forgetNumber(ctx, { number: "070-174 06 08" });
    expect(await scanForNumber(db, n)).toEqual([]);
    // The event's detail is still JSON with its other fields.
    const ev = await db.prisma.surveyEvent.findFirstOrThrow({ where: { surveyId: s.id, type: "dial-failed" } });
    expect(ev.detail).toMatchObject({ code: 1 });
  });
});
