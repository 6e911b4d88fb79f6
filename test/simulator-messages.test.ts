import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { startSimulator, createPersona, type RunningSimulator } from "../src/telephony/simulator/index.js";
import { smsBehaviour } from "../src/telephony/simulator/messages.js";
import { answerWebSurvey, readForm } from "../src/telephony/simulator/web-citizen.js";

const ACCOUNT = "AC00000000000000000000000000000042";
const TOKEN = "simulator-token-0123456789abcdef";
const logger = createLogger("error");

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A seed whose persona behaves as wanted (personas are deterministic per seed). */
function seedWhere(pred: (b: ReturnType<typeof smsBehaviour>) => boolean): number {
  for (let seed = 1; seed < 100_000; seed++) if (pred(smsBehaviour(createPersona(seed)))) return seed;
  throw new Error("no such seed");
}

describe("simulated citizen on the web survey (the form contract, against a tiny local server)", () => {
  let server: Server;
  let base: string;
  const posts: Record<string, string>[] = [];

  beforeAll(async () => {
    // Two pages, then done: the shape the web survey promises (radios q_<key>, comment, hidden inputs, 303).
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    let step = 0;
    app.get("/s/:token", (req, res) => {
      if (req.params.token === "expired") return void res.status(410).send("<p>Länken har gått ut</p>");
      if (step === 0)
        return void res.send(`<form method="post"><input type="hidden" name="csrf" value="a&amp;b">
          <fieldset><input type="radio" name="q_bemotande" value="1"><input type="radio" name='q_bemotande' value="5">
          <input type=radio name=q_kunskap value=3></fieldset><button>Nästa</button></form>`);
      if (step === 1)
        return void res.send(`<form method="post"><input type="hidden" name="page" value="2">
          <input type="radio" name="q_helhet" value="4"><textarea name="comment" id="c"></textarea></form>`);
      res.send('<main data-survey-state="done"><h1>Tack!</h1></main>');
    });
    app.post("/s/:token", (req, res) => {
      posts.push({ ...(req.body as Record<string, string>) });
      step++;
      res.redirect(303, req.originalUrl);
    });
    ({ server, url: base } = await listen(app));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("posts every radio group, the comment and every hidden input until the page says done", async () => {
    const r = await answerWebSurvey(`${base}/s/tok123`, {
      scoreFor: (k) => (k === "bemotande" ? 5 : 4),
      comment: "Bra bemötande",
    });
    expect(r).toEqual({ outcome: "done", rounds: 3, answered: ["bemotande", "kunskap", "helhet"] });
    expect(posts).toEqual([
      { q_bemotande: "5", q_kunskap: "4", csrf: "a&b" },
      { q_helhet: "4", comment: "Bra bemötande", page: "2" },
    ]);
  });

  it("stops on a 4xx (an expired or reused link)", async () => {
    const r = await answerWebSurvey(`${base}/s/expired`, { scoreFor: () => 3, comment: null });
    expect(r).toMatchObject({ outcome: "client_error", status: 410, answered: [] });
  });

  it("reads forms whatever the quoting", () => {
    const f = readForm(`<input name="x" type="hidden" value='1'><input type="radio" name=q_a><textarea name=comment>`);
    expect([...f.radios]).toEqual(["q_a"]);
    expect(f.hidden).toEqual([["x", "1"]]);
    expect(f.hasComment).toBe(true);
  });
});

describe("simulator Messages API through twilio-node", () => {
  let sim: RunningSimulator;
  let receiver: { url: string; server: Server };
  const callbacks: { path: string; params: Record<string, string>; valid: boolean }[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post(/.*/, (req, res) => {
      const url = receiver.url + req.originalUrl;
      const params = req.body as Record<string, string>;
      callbacks.push({
        path: req.path,
        params,
        valid: twilio.validateRequest(TOKEN, req.get("x-twilio-signature") ?? "", url, params),
      });
      res.type("text/xml").send("<Response/>");
    });
    receiver = await listen(app);
    sim = await startSimulator({
      accountSid: ACCOUNT,
      authToken: TOKEN,
      timeScale: 0,
      logger,
      inboundSmsUrl: `${receiver.url}/twilio/sms/inbound`,
    });
  });
  afterAll(async () => {
    await sim?.stop();
    await new Promise<void>((r) => receiver.server.close(() => r()));
  });

  const client = () =>
    createTwilioClient({ accountSid: ACCOUNT, authToken: TOKEN, fromNumber: "+46850000000", apiUrl: sim.url });

  it("creates a message, sends signed queued → sent → delivered callbacks, and fetches it", async () => {
    const to = "+46701239001";
    sim.registerCitizen(to, createPersona(seedWhere((b) => b.delivered && !b.reply && !b.answersWeb)));
    const m = await client().messages.create({
      to,
      from: "+46850000000",
      body: "Hej https://example.test/s/abc",
      statusCallback: `${receiver.url}/twilio/sms/status?smsId=1#rc=3&rp=ct,rt,5xx`,
    });
    expect(m.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(m.status).toBe("queued");
    await sim.messaging.idle();
    const mine = callbacks.filter((c) => c.params.MessageSid === m.sid);
    expect(mine.map((c) => [c.path, c.params.MessageStatus, c.valid])).toEqual([
      ["/twilio/sms/status", "sent", true],
      ["/twilio/sms/status", "delivered", true],
    ]);
    expect((await client().messages(m.sid).fetch()).status).toBe("delivered");
  });

  it("refuses an invalid number with 21211 and a missing sender with 21603, as Twilio does", async () => {
    await expect(client().messages.create({ to: "0701234567", from: "+46850000000", body: "x" })).rejects.toMatchObject(
      {
        status: 400,
        code: 21211,
      },
    );
    await expect(client().messages.create({ to: "+46701239002", body: "x" })).rejects.toMatchObject({
      code: 21603,
    });
  });

  it("sometimes undelivered (30003), and a citizen who replies STOPP posts a signed inbound message", async () => {
    const lost = "+46701239003";
    sim.registerCitizen(lost, createPersona(seedWhere((b) => !b.delivered)));
    const stopper = "+46701239004";
    sim.registerCitizen(stopper, createPersona(seedWhere((b) => b.delivered && b.reply === "stop")));
    const a = await client().messages.create({
      to: lost,
      messagingServiceSid: `MG${"1".repeat(32)}`,
      body: "a",
      statusCallback: `${receiver.url}/st`,
    });
    await client().messages.create({ to: stopper, from: "+46850000000", body: "b" });
    await sim.messaging.idle();
    expect(
      callbacks.find((c) => c.params.MessageSid === a.sid && c.params.MessageStatus === "undelivered")?.params,
    ).toMatchObject({ ErrorCode: "30003", MessagingServiceSid: `MG${"1".repeat(32)}` });
    const inbound = callbacks.filter((c) => c.path === "/twilio/sms/inbound" && c.params.From === stopper);
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ valid: true, params: { Body: "STOPP", To: "+46850000000" } });
  });
});
