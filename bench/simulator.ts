/**
 * How many complete survey calls the Twilio simulator drives per second on
 * loopback, with no simulated waiting (time scale 0): the ceiling for load
 * tests that point the service at a standalone simulator.
 *
 *   npx tsx bench/simulator.ts [calls=300] [concurrency=20]
 *
 * The TwiML application is a minimal in-process stand-in that validates every
 * signature and answers with a greeting, seven keypad questions and a voice
 * message, so each call is 1 REST create, 4 status callbacks, 1 AMD callback,
 * 1 recording callback and 10 signed TwiML requests.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import twilio from "twilio";
import { createLogger } from "../src/lib/logger.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { startSimulator } from "../src/telephony/simulator/index.js";

const CALLS = Number(process.argv[2] ?? 300);
const CONCURRENCY = Number(process.argv[3] ?? 20);
const SID = "AC" + "b".repeat(32);
const TOKEN = "bench-token-bench-token-0001";
const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];

let webhooks = 0;
let badSignatures = 0;
const app = express();
app.use(express.urlencoded({ extended: false }));
let base = "";
app.use((req, res, next) => {
  webhooks++;
  if (!twilio.validateRequest(TOKEN, req.get("x-twilio-signature") ?? "", base + req.originalUrl, req.body ?? {}))
    badSignatures++;
  next();
});
const gather = (i: number) =>
  i < KEYS.length
    ? `<Response><Gather numDigits="1" timeout="5" action="/g?i=${i}&amp;step=${KEYS[i]}"><Say>Fråga ${i + 1}</Say></Gather><Redirect>/g?i=${i}&amp;step=${KEYS[i]}&amp;silent=1</Redirect></Response>`
    : `<Response><Say>Meddelande</Say><Record action="/r" maxLength="120" finishOnKey="#" recordingStatusCallback="/rs"/><Hangup/></Response>`;
app.post(
  "/voice",
  (_req, res) =>
    void res
      .type("text/xml")
      .send(
        `<Response><Gather numDigits="1" action="/g?i=-1&amp;step=intro"><Say>Hej</Say></Gather><Redirect>/g?i=-1</Redirect></Response>`,
      ),
);
app.post("/g", (req, res) => void res.type("text/xml").send(gather(Number(req.query.i) + 1)));
app.post("/r", (_req, res) => void res.type("text/xml").send("<Response><Hangup/></Response>"));
app.post(["/status", "/amd", "/rs"], (_req, res) => void res.status(204).end());
const server = app.listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const sim = await startSimulator({
  accountSid: SID,
  authToken: TOKEN,
  port: 0,
  timeScale: 0,
  logger: createLogger("error", { silent: true }),
});
const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, fromNumber: "+46850000000", apiUrl: sim.url });
const ended: Record<string, number> = {};
sim.onCallEnded((s) => void (ended[s.status] = (ended[s.status] ?? 0) + 1));

const createMs: number[] = [];
let next = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < CALLS) {
      const i = next++;
      const t = process.hrtime.bigint();
      const call = await client.calls.create({
        to: `+4670174${String(605 + (i % 95)).padStart(4, "0")}`,
        from: "+46850000000",
        url: `${base}/voice`,
        statusCallback: `${base}/status`,
        statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        machineDetection: "Enable",
        asyncAmd: "true",
        asyncAmdStatusCallback: `${base}/amd`,
      });
      createMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      await sim.engine.waitForCall(call.sid);
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
createMs.sort((a, b) => a - b);
const pct = (p: number) => createMs[Math.min(createMs.length - 1, Math.floor((p / 100) * createMs.length))].toFixed(1);
console.log(`calls: ${CALLS}, concurrency ${CONCURRENCY}, time scale 0`);
console.log(
  `elapsed ${seconds.toFixed(1)} s: ${(CALLS / seconds).toFixed(1)} calls/s, ${(webhooks / seconds).toFixed(0)} signed webhook requests/s (${webhooks} total, ${badSignatures} bad signatures)`,
);
console.log(`REST create latency p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
console.log(`outcomes: ${JSON.stringify(ended)}`);
await sim.stop();
server.close();
