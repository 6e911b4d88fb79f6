import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { startSimulator, type RunningSimulator } from "../src/telephony/simulator/index.js";
import { createPersona } from "../src/telephony/simulator/personas.js";

/** The simulator's REST API driven by the real twilio-node client, as the service drives it. */
const ACCOUNT_SID = "AC" + "a".repeat(32);
const AUTH_TOKEN = "simulator-rest-test-token-00001";
const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;

describe("Twilio-compatible REST API", () => {
  let sim: RunningSimulator;
  let app: Server;
  let appUrl: string;
  const client = () =>
    createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, fromNumber: "+46850000000", apiUrl: sim.url });

  beforeAll(async () => {
    sim = await startSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      port: 0,
      timeScale: 0.001,
      logger: createLogger("error", { silent: true }),
    });
    // An application that records a 3-second message and hangs up; it does not check signatures (simulator-calls does).
    const a = express();
    a.use(express.urlencoded({ extended: false }));
    a.post("/voice", (_req, res) => {
      res.type("text/xml").send(`<Response><Record action="/done" finishOnKey="#"/></Response>`);
    });
    a.post("/done", (_req, res) => {
      res.type("text/xml").send("<Response><Hangup/></Response>");
    });
    app = await new Promise((r) => {
      const s = a.listen(0, "127.0.0.1", () => r(s));
    });
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sim.stop();
    await new Promise((r) => app.close(r));
  });

  it("creates a call with the dispatcher's parameters and answers in Twilio's JSON shape", async () => {
    const call = await client().calls.create({
      to: "+46701740605",
      from: "+46850000000",
      url: `${appUrl}/voice?surveyId=abc`,
      method: "POST",
      statusCallback: `${appUrl}/status?surveyId=abc`,
      statusCallbackMethod: "POST",
      statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      machineDetection: "Enable",
      asyncAmd: "true",
      asyncAmdStatusCallback: `${appUrl}/amd?surveyId=abc`,
      asyncAmdStatusCallbackMethod: "POST",
      timeout: 25,
      timeLimit: 600,
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call).toMatchObject({
      accountSid: ACCOUNT_SID,
      status: "queued",
      to: "+46701740605",
      from: "+46850000000",
      direction: "outbound-api",
      apiVersion: "2010-04-01",
    });
    expect(call.dateCreated).toBeInstanceOf(Date);
    expect(call.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${call.sid}.json`);
    const stored = sim.engine.calls.get(call.sid)!;
    expect(stored).toMatchObject({ timeout: 25, timeLimit: 600, machineDetection: "Enable", asyncAmd: true });
    expect([...stored.statusCallbackEvents]).toEqual(["initiated", "ringing", "answered", "completed"]);
    await sim.engine.waitForCall(call.sid);
  });

  it("fetches a call, ends it with update({status:'completed'}) and returns it unchanged once ended", async () => {
    sim.registerCitizen("+46701740606", createPersona(1, { pickup: "no-answer" }));
    const c = client();
    // Rings for up to 600 simulated seconds (0.6 s here): time enough to hang up while it rings.
    const call = await c.calls.create({
      to: "+46701740606",
      from: "+46850000000",
      url: `${appUrl}/voice`,
      timeout: 600,
    });
    const fetched = await c.calls(call.sid).fetch();
    expect(fetched.sid).toBe(call.sid);
    const updated = await c.calls(call.sid).update({ status: "completed" });
    expect(updated.sid).toBe(call.sid);
    await sim.engine.waitForCall(call.sid);
    // Hung up before it was answered: Twilio reports such a call as canceled.
    expect((await c.calls(call.sid).fetch()).status).toBe("canceled");
    expect((await c.calls(call.sid).update({ status: "completed" })).status).toBe("canceled");
    const list = await c.calls.list({ limit: 5 });
    expect(list.map((x) => x.sid)).toContain(call.sid);
  });

  it("fetches, downloads and deletes a recording", async () => {
    sim.registerCitizen(
      "+46701740607",
      createPersona(2, {
        pickup: "answer",
        ringSeconds: 1,
        machine: false,
        hangUpAt: null,
        optOutAt: null,
        message: { seconds: 3, end: "#" },
      }),
    );
    const c = client();
    const call = await c.calls.create({ to: "+46701740607", from: "+46850000000", url: `${appUrl}/voice` });
    await sim.engine.waitForCall(call.sid);
    const [rec] = [...sim.engine.recordings.values()].filter((r) => r.callSid === call.sid);
    const fetched = await c.recordings(rec.sid).fetch();
    expect(fetched).toMatchObject({
      sid: rec.sid,
      callSid: call.sid,
      duration: "3",
      status: "completed",
      source: "RecordVerb",
      channels: 1,
      accountSid: ACCOUNT_SID,
    });

    const mediaUrl = `${sim.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${rec.sid}.wav`;
    const media = await fetch(mediaUrl, { headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) } });
    expect(media.status).toBe(200);
    expect((await media.arrayBuffer()).byteLength).toBe(44 + 3 * 16000);
    expect((await fetch(mediaUrl)).status).toBe(401);

    await expect(c.recordings(rec.sid).remove()).resolves.toBe(true);
    await expect(c.recordings(rec.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect((await fetch(mediaUrl, { headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) } })).status).toBe(404);
  });

  it("refuses a wrong auth token with Twilio's 401 error 20003", async () => {
    const before = sim.engine.calls.size;
    const bad = createTwilioClient({
      accountSid: ACCOUNT_SID,
      authToken: "wrong-token-wrong-token",
      fromNumber: "+46850000000",
      apiUrl: sim.url,
    });
    await expect(
      bad.calls.create({ to: "+46701740608", from: "+46850000000", url: `${appUrl}/voice` }),
    ).rejects.toMatchObject({
      status: 401,
      code: 20003,
      moreInfo: "https://www.twilio.com/docs/errors/20003",
    });
    const res = await fetch(`${sim.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      headers: { Authorization: basic(ACCOUNT_SID, "nope") },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      code: 20003,
      message: "Authenticate",
      more_info: "https://www.twilio.com/docs/errors/20003",
      status: 401,
    });
    expect(sim.engine.calls.size).toBe(before);
  });

  it("answers unknown calls with 404 / 20404 and invalid numbers with 400 / 21211", async () => {
    const c = client();
    await expect(c.calls("CA" + "0".repeat(32)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(
      c.calls.create({ to: "0701740605", from: "+46850000000", url: `${appUrl}/voice` }),
    ).rejects.toMatchObject({ status: 400, code: 21211 });
    await expect(c.calls.create({ to: "+46701740605", from: "+46850000000", url: "not a url" })).rejects.toMatchObject({
      status: 400,
      code: 21205,
    });
  });
});
