import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { startSimulator, type RunningSimulator } from "../src/telephony/simulator/index.js";
import { createPersona, plannedScore, type PersonaOverrides } from "../src/telephony/simulator/personas.js";

/**
 * Virtual calls against a tiny TwiML application that checks every request's
 * X-Twilio-Signature the way the service does (twilio.validateRequest over
 * the full URL and the form parameters).
 */
const ACCOUNT_SID = "AC" + "c".repeat(32);
const AUTH_TOKEN = "simulator-calls-test-token-0001";

interface Hit {
  path: string;
  query: Record<string, string>;
  params: Record<string, string>;
}

const QUESTIONS = ["svarstid", "bemotande", "kunskap"];

const gatherTwiml = (step: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>` +
  `<Gather input="dtmf" numDigits="1" timeout="5" action="/gather?step=${step}&amp;n=1" method="POST" finishOnKey="">` +
  `<Say voice="Polly.Astrid" language="sv-SE">Hur nöjd är du med ${step}? Tryck 1 till 5.</Say></Gather>` +
  `<Redirect method="POST">/silence?step=${step}</Redirect></Response>`;

const afterQuestion = (step: string) => {
  const next = step === "intro" ? QUESTIONS[0] : QUESTIONS[QUESTIONS.indexOf(step) + 1];
  if (next) return gatherTwiml(next);
  return (
    `<Response><Say voice="Polly.Astrid" language="sv-SE">Lämna ett meddelande efter tonen.</Say>` +
    `<Record action="/recorded" method="POST" maxLength="120" finishOnKey="#" playBeep="true" trim="trim-silence" ` +
    `recordingStatusCallback="/recording-status" recordingStatusCallbackEvent="completed absent" recordingStatusCallbackMethod="POST"/>` +
    `<Redirect method="POST">/no-message</Redirect></Response>`
  );
};

async function startFakeApp() {
  const hits: Hit[] = [];
  const asked = new Map<string, number>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  let base = "";
  app.use((req, res, next) => {
    const ok = twilio.validateRequest(
      AUTH_TOKEN,
      req.get("x-twilio-signature") ?? "",
      base + req.originalUrl,
      req.body ?? {},
    );
    if (!ok) return res.status(403).send("bad signature");
    hits.push({ path: req.path, query: req.query as Record<string, string>, params: { ...req.body } });
    next();
  });
  const xml = (res: express.Response, body: string) => res.type("text/xml").send(body);
  // A greeting that listens for star, then falls through to the first question.
  app.post("/voice", (_req, res) => xml(res, gatherTwiml("intro")));
  app.post("/gather", (req, res) => {
    const step = String(req.query.step);
    const d = req.body.Digits as string;
    if (d === "*") return xml(res, `<Response><Say>Du ringer inte igen.</Say><Hangup/></Response>`);
    if (!/^[1-5]$/.test(d)) return xml(res, gatherTwiml(step));
    xml(res, afterQuestion(step));
  });
  app.post("/silence", (req, res) => {
    const step = String(req.query.step);
    if (step === "intro") return xml(res, afterQuestion(step));
    const n = (asked.get(step) ?? 0) + 1;
    asked.set(step, n);
    xml(res, n === 1 ? gatherTwiml(step) : afterQuestion(step));
  });
  app.post("/recorded", (_req, res) => xml(res, `<Response><Say>Tack!</Say><Hangup/></Response>`));
  app.post("/no-message", (_req, res) => xml(res, `<Response><Say>Tack!</Say><Hangup/></Response>`));
  app.post(["/status", "/amd", "/recording-status"], (_req, res) => res.status(204).end());
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    byPath: (p: string) => hits.filter((h) => h.path === p),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const STEADY: PersonaOverrides = {
  pickup: "answer",
  ringSeconds: 2,
  machine: false,
  amd: { verdict: "human", seconds: 2 },
  bargeIn: false,
  thinkSeconds: 1,
  optOutAt: null,
  hangUpAt: null,
  silentAt: [],
  invalidAt: [],
  message: { seconds: 6, end: "#" },
};

describe("virtual calls", () => {
  let sim: RunningSimulator;
  let fake: Awaited<ReturnType<typeof startFakeApp>>;
  let client: ReturnType<typeof createTwilioClient>;
  let n = 0;

  beforeAll(async () => {
    sim = await startSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      port: 0,
      timeScale: 0.001,
      logger: createLogger("error", { silent: true }),
    });
    client = createTwilioClient({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      fromNumber: "+46850000000",
      apiUrl: sim.url,
    });
  });
  afterAll(async () => {
    await sim.stop();
  });
  afterEach(async () => {
    await fake?.close();
  });

  async function place(overrides: PersonaOverrides, seed = 7, extra: Record<string, unknown> = {}) {
    fake = await startFakeApp();
    const to = `+4670174060${n++ % 10}`;
    const persona = createPersona(seed, { ...STEADY, ...overrides });
    sim.registerCitizen(to, persona);
    const call = await client.calls.create({
      to,
      from: "+46850000000",
      url: `${fake.base}/voice?surveyId=s1`,
      method: "POST",
      statusCallback: `${fake.base}/status?surveyId=s1`,
      statusCallbackMethod: "POST",
      statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      machineDetection: "Enable",
      asyncAmd: "true",
      asyncAmdStatusCallback: `${fake.base}/amd?surveyId=s1`,
      asyncAmdStatusCallbackMethod: "POST",
      timeout: 25,
      timeLimit: 600,
      ...extra,
    });
    await sim.engine.waitForCall(call.sid);
    return { call, persona, to };
  }

  it("sends the status callbacks in order with Twilio's parameter names and values", async () => {
    const { call, to } = await place({});
    const status = fake.byPath("/status").map((h) => h.params);
    expect(status.map((p) => p.CallStatus)).toEqual(["initiated", "ringing", "in-progress", "completed"]);
    expect(status.map((p) => p.SequenceNumber)).toEqual(["0", "1", "2", "3"]);
    for (const p of status) {
      expect(p).toMatchObject({
        AccountSid: ACCOUNT_SID,
        ApiVersion: "2010-04-01",
        CallSid: call.sid,
        Called: to,
        Caller: "+46850000000",
        Direction: "outbound-api",
        From: "+46850000000",
        To: to,
        CallbackSource: "call-progress-events",
      });
      expect(p.Timestamp).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    }
    expect(Object.keys(status[3]).sort()).toEqual(
      [
        "AccountSid",
        "ApiVersion",
        "CallDuration",
        "CallSid",
        "CallStatus",
        "CallbackSource",
        "Called",
        "Caller",
        "Direction",
        "Duration",
        "From",
        "SequenceNumber",
        "Timestamp",
        "To",
      ].sort(),
    );
    expect(Number(status[3].CallDuration)).toBeGreaterThan(10);
    const fetched = await client.calls(call.sid).fetch();
    expect(fetched.status).toBe("completed");
    expect(fetched.duration).toBe(status[3].CallDuration);
    expect(fetched.answeredBy).toBe("human");
  });

  it("presses the persona's planned score at each question and posts Digits to the Gather action", async () => {
    const { persona } = await place({}, 11);
    const gathers = fake.byPath("/gather");
    expect(gathers.map((h) => h.query.step)).toEqual(QUESTIONS);
    expect(gathers.map((h) => h.params.Digits)).toEqual(QUESTIONS.map((q) => String(plannedScore(persona, q))));
    expect(gathers[0].query.n).toBe("1");
    expect(gathers[0].params).toMatchObject({
      CallStatus: "in-progress",
      Direction: "outbound-api",
      FinishedOnKey: "",
    });
  });

  it("listens to a greeting Gather that is not a question without pressing anything", async () => {
    await place({}, 13);
    expect(fake.byPath("/silence").map((h) => h.query.step)).toEqual(["intro"]);
    expect(fake.byPath("/gather").map((h) => h.query.step)).toEqual(QUESTIONS);
  });

  it("does not call the Gather action when the citizen stays silent: the Redirect after it runs", async () => {
    await place({ silentAt: [1] }, 12);
    expect(fake.byPath("/silence").map((h) => h.query.step)).toEqual(["intro", "bemotande"]);
    const steps = fake.byPath("/gather").map((h) => h.query.step);
    expect(steps).toEqual(QUESTIONS); // the re-ask is answered
    expect(fake.byPath("/gather").every((h) => /^[1-5]$/.test(h.params.Digits))).toBe(true);
  });

  it("presses an out-of-range key once, then a valid one on the re-ask", async () => {
    await place({ invalidAt: [0] }, 14);
    const digits = fake.byPath("/gather").map((h) => h.params.Digits);
    expect(digits[0]).toMatch(/^[09]$/);
    expect(digits.slice(1)).toHaveLength(3);
    expect(digits.slice(1).every((d) => /^[1-5]$/.test(d))).toBe(true);
  });

  it("opts out with star", async () => {
    await place({ optOutAt: 0 }, 15);
    expect(fake.byPath("/gather").map((h) => h.params.Digits)).toEqual(["*"]);
    expect(fake.byPath("/status").at(-1)!.params.CallStatus).toBe("completed");
  });

  it("records a real WAV voice message and reports it to the Record action and the recording status callback", async () => {
    const { call } = await place({ message: { seconds: 6, end: "#" } }, 16);
    const [action] = fake.byPath("/recorded");
    expect(action.params).toMatchObject({ RecordingDuration: "6", Digits: "#", CallSid: call.sid });
    expect(action.params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(action.params.RecordingUrl).toBe(
      `${sim.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${action.params.RecordingSid}`,
    );

    const [rsc] = fake.byPath("/recording-status");
    expect(rsc.params).toEqual({
      AccountSid: ACCOUNT_SID,
      CallSid: call.sid,
      RecordingSid: action.params.RecordingSid,
      RecordingUrl: action.params.RecordingUrl,
      RecordingStatus: "completed",
      RecordingDuration: "6",
      RecordingChannels: "1",
      RecordingSource: "RecordVerb",
      RecordingStartTime: expect.stringMatching(/\+0000$/),
      ErrorCode: "0",
    });

    const media = await fetch(`${action.params.RecordingUrl}.wav`, {
      headers: { Authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}` },
    });
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("audio/x-wav");
    const wav = Buffer.from(await media.arrayBuffer());
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.toString("ascii", 8, 12)).toBe("WAVE");
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    const dataBytes = wav.readUInt32LE(40);
    expect(dataBytes / (8000 * 2)).toBe(6);
    expect(wav.length).toBe(44 + dataBytes);
  });

  it("does not call the Record action for an empty recording, runs the next verb and reports the recording absent", async () => {
    await place({ message: { seconds: 0, end: "#" } }, 17);
    expect(fake.byPath("/recorded")).toHaveLength(0);
    expect(fake.byPath("/no-message")).toHaveLength(1);
    expect(fake.byPath("/recording-status").map((h) => h.params.RecordingStatus)).toEqual(["absent"]);
  });

  it("calls the Record action with Digits=hangup when the citizen hangs up while recording", async () => {
    await place({ message: { seconds: 4, end: "hangup" } }, 18);
    const [action] = fake.byPath("/recorded");
    expect(action.params).toMatchObject({ Digits: "hangup", RecordingDuration: "4", CallStatus: "completed" });
    expect(fake.byPath("/status").at(-1)!.params.CallStatus).toBe("completed");
  });

  it("hangs up mid-way: answers before the question, then the call completes", async () => {
    await place({ hangUpAt: 2 }, 19);
    expect(fake.byPath("/gather").map((h) => h.query.step)).toEqual(["svarstid", "bemotande"]);
    expect(fake.byPath("/recorded")).toHaveLength(0);
    expect(fake.byPath("/status").map((h) => h.params.CallStatus)).toEqual([
      "initiated",
      "ringing",
      "in-progress",
      "completed",
    ]);
  });

  it("posts the asynchronous AMD result with AnsweredBy and MachineDetectionDuration", async () => {
    const { call } = await place({ amd: { verdict: "human", seconds: 2.5 } }, 20);
    expect(fake.byPath("/amd").map((h) => h.params)).toEqual([
      { AccountSid: ACCOUNT_SID, CallSid: call.sid, AnsweredBy: "human", MachineDetectionDuration: "2500" },
    ]);
  });

  it("an answering machine presses nothing and detection says machine_start", async () => {
    await place({ machine: true, amd: { verdict: "machine", seconds: 3 }, message: { seconds: 0, end: "#" } }, 21);
    expect(fake.byPath("/amd")[0].params.AnsweredBy).toBe("machine_start");
    expect(fake.byPath("/gather")).toHaveLength(0);
  });

  it("no answer: initiated, ringing, then no-answer after the ring timeout", async () => {
    await place({ pickup: "no-answer" }, 22);
    const status = fake.byPath("/status").map((h) => h.params);
    expect(status.map((p) => p.CallStatus)).toEqual(["initiated", "ringing", "no-answer"]);
    expect(status[2]).toMatchObject({ CallDuration: "0", SequenceNumber: "2" });
    expect(fake.byPath("/voice")).toHaveLength(0);
  });

  it("busy: initiated, then busy without ringing", async () => {
    await place({ pickup: "busy" }, 23);
    expect(fake.byPath("/status").map((h) => h.params.CallStatus)).toEqual(["initiated", "busy"]);
  });

  it("with synchronous detection, waits for it and sends AnsweredBy with the first TwiML request", async () => {
    await place({ amd: { verdict: "human", seconds: 2 } }, 24, {
      asyncAmd: "false",
      asyncAmdStatusCallback: undefined,
    });
    expect(fake.byPath("/voice")[0].params.AnsweredBy).toBe("human");
    expect(fake.byPath("/amd")).toHaveLength(0);
  });

  it("redirects an answered call to a new URL through the REST API", async () => {
    fake = await startFakeApp();
    const slow = await startSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      port: 0,
      timeScale: 0.02,
      logger: createLogger("error", { silent: true }),
    });
    try {
      const c = createTwilioClient({
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        fromNumber: "+46850000000",
        apiUrl: slow.url,
      });
      slow.registerCitizen("+46701740651", createPersona(4, STEADY));
      const call = await c.calls.create({ to: "+46701740651", from: "+46850000000", url: `${fake.base}/voice` });
      while (fake.byPath("/voice").length === 0) await new Promise((r) => setTimeout(r, 5));
      await c.calls(call.sid).update({ url: `${fake.base}/no-message`, method: "POST" });
      await slow.engine.waitForCall(call.sid);
      expect(fake.byPath("/no-message")).toHaveLength(1);
      expect(fake.byPath("/gather")).toHaveLength(0);
      await expect(c.calls(call.sid).update({ url: `${fake.base}/voice` })).rejects.toMatchObject({
        status: 400,
        code: 21220,
      });
    } finally {
      await slow.stop();
    }
  });

  it("ends the call when the application hangs up through the REST API; the completed callback follows", async () => {
    fake = await startFakeApp();
    const slow = await startSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      port: 0,
      timeScale: 0.02,
      logger: createLogger("error", { silent: true }),
    });
    try {
      const c = createTwilioClient({
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        fromNumber: "+46850000000",
        apiUrl: slow.url,
      });
      slow.registerCitizen("+46701740650", createPersona(3, STEADY));
      const ended = new Promise((resolve) => slow.onCallEnded(resolve));
      const call = await c.calls.create({
        to: "+46701740650",
        from: "+46850000000",
        url: `${fake.base}/voice`,
        statusCallback: `${fake.base}/status`,
        statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      });
      while (fake.byPath("/voice").length === 0) await new Promise((r) => setTimeout(r, 5));
      const updated = await c.calls(call.sid).update({ status: "completed" });
      expect(updated.sid).toBe(call.sid);
      await expect(ended).resolves.toMatchObject({ callSid: call.sid, status: "completed", endedBy: "api" });
      expect(fake.byPath("/status").map((h) => h.params.CallStatus)).toEqual([
        "initiated",
        "ringing",
        "in-progress",
        "completed",
      ]);
      expect(fake.byPath("/gather")).toHaveLength(0);
      expect((await c.calls(call.sid).fetch()).status).toBe("completed");
    } finally {
      await slow.stop();
    }
  });
});
