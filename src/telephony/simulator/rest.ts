import { timingSafeEqual } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { taggedVoiceMp3 } from "./mp3.js";
import type { SimulatorEngine } from "./engine.js";
import { messageJson, type SimulatorMessaging } from "./messages.js";
import { API_VERSION, callJson, FINAL_STATUSES, newSid, recordingJson, type SimCall } from "./store.js";
import { httpMethod } from "./webhook-client.js";

/**
 * The subset of Twilio's REST API (2010-04-01) that the service uses, as
 * twilio-node 6 sends it: form-encoded bodies (arrays as repeated keys),
 * HTTP Basic auth with AccountSid:AuthToken, `.json` resource paths, and
 * errors as {code, message, more_info, status} (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions).
 */
class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const sendError = (res: Response, e: TwilioApiError) =>
  res.status(e.status).json({
    code: e.code,
    message: e.message,
    more_info: `https://www.twilio.com/docs/errors/${e.code}`,
    status: e.status,
  });

const E164 = /^\+[1-9]\d{6,14}$/;
const absoluteUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u));
const formStr = z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), z.string().optional());
const createSchema = z.object({
  To: formStr,
  From: formStr,
  Url: formStr,
  Twiml: formStr,
  Method: formStr,
  StatusCallback: formStr,
  StatusCallbackMethod: formStr,
  StatusCallbackEvent: z.union([z.string(), z.array(z.string())]).optional(),
  MachineDetection: formStr,
  AsyncAmd: formStr,
  AsyncAmdStatusCallback: formStr,
  AsyncAmdStatusCallbackMethod: formStr,
  Timeout: formStr,
  TimeLimit: formStr,
});

function parseCreate(accountSid: string, body: unknown): SimCall {
  const p = createSchema.parse(body ?? {});
  // Error codes from https://www.twilio.com/docs/api/errors
  if (!p.To) throw new TwilioApiError(400, 21201, "No 'To' number is specified");
  if (!E164.test(p.To))
    throw new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${p.To.replace(/\d(?=\d{2})/g, "*")}`);
  if (!p.From) throw new TwilioApiError(400, 21213, "No 'From' number is specified");
  if (!p.Url)
    throw new TwilioApiError(400, 21205, "Url parameter is required (the simulator does not run inline Twiml)");
  for (const [name, v] of [
    ["Url", p.Url],
    ["StatusCallback", p.StatusCallback],
    ["AsyncAmdStatusCallback", p.AsyncAmdStatusCallback],
  ] as const) {
    if (v !== undefined && !absoluteUrl.safeParse(v).success)
      throw new TwilioApiError(400, 21205, `${name} is not a valid URL: ${v}`);
  }
  const events =
    p.StatusCallbackEvent === undefined ? ["completed"] : [p.StatusCallbackEvent].flat().flatMap((e) => e.split(/\s+/));
  const bad = events.find((e) => !["initiated", "ringing", "answered", "completed"].includes(e));
  if (bad) throw new TwilioApiError(400, 21626, `Invalid 'StatusCallbackEvent': ${bad}`);
  const now = new Date();
  return {
    sid: newSid("CA"),
    accountSid,
    to: p.To,
    from: p.From,
    status: "queued",
    url: p.Url,
    method: httpMethod(p.Method),
    statusCallback: p.StatusCallback,
    statusCallbackMethod: httpMethod(p.StatusCallbackMethod),
    statusCallbackEvents: new Set(events),
    machineDetection: p.MachineDetection,
    asyncAmd: p.AsyncAmd === "true",
    asyncAmdStatusCallback: p.AsyncAmdStatusCallback,
    asyncAmdStatusCallbackMethod: httpMethod(p.AsyncAmdStatusCallbackMethod),
    timeout: Math.min(600, Math.max(5, Number(p.Timeout ?? 60) || 60)),
    timeLimit: Math.max(1, Number(p.TimeLimit ?? 14_400) || 14_400),
    dateCreated: now,
    dateUpdated: now,
    sequence: 0,
  };
}

function basicAuth(accountSid: string, authToken: string) {
  const expected = Buffer.from(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = Buffer.from(req.get("authorization") ?? "");
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (!ok)
      return sendError(
        res.set("WWW-Authenticate", 'Basic realm="Twilio API"'),
        new TwilioApiError(401, 20003, "Authenticate"),
      );
    if (req.params.accountSid !== accountSid) {
      return sendError(
        res,
        new TwilioApiError(403, 20003, "Authenticated account does not match the account in the URL"),
      );
    }
    next();
  };
}

export function simulatorRestRouter(
  engine: SimulatorEngine,
  apiBase: () => string,
  messaging?: SimulatorMessaging,
): express.Router {
  const { accountSid, authToken } = engine.opts;
  const r = express.Router({ mergeParams: true });
  const notFound = (req: Request) => new TwilioApiError(404, 20404, `The requested resource ${req.path} was not found`);
  const account = express.Router({ mergeParams: true });
  r.use(
    `/${API_VERSION}/Accounts/:accountSid`,
    express.urlencoded({ extended: false, limit: "64kb" }),
    basicAuth(accountSid, authToken),
    account,
  );

  account.post("/Calls.json", (req, res) => {
    const call = parseCreate(accountSid, req.body);
    res.status(201).json(callJson(call));
    // The call starts once its SID is on its way to the client, as at Twilio.
    engine.start(call);
  });
  account.get("/Calls.json", (req, res) => {
    const status = typeof req.query.Status === "string" ? req.query.Status : undefined;
    const calls = [...engine.calls.values()]
      .reverse()
      .filter((c) => !status || c.status === status)
      .slice(0, 50);
    const uri = `/${API_VERSION}/Accounts/${accountSid}/Calls.json`;
    res.json({
      calls: calls.map(callJson),
      first_page_uri: `${uri}?PageSize=50&Page=0`,
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: 50,
      start: 0,
      end: Math.max(0, calls.length - 1),
      uri,
    });
  });
  account.get("/Calls/:file", (req, res) => {
    const call = engine.calls.get(sidOf(req.params.file, "CA", ".json") ?? "");
    if (!call) return sendError(res, notFound(req));
    res.json(callJson(call));
  });
  account.post("/Calls/:file", (req, res) => {
    const call = engine.calls.get(sidOf(req.params.file, "CA", ".json") ?? "");
    if (!call) return sendError(res, notFound(req));
    const status = formValue(req.body?.Status);
    const url = formValue(req.body?.Url);
    if (status !== undefined && status !== "completed" && status !== "canceled") {
      return sendError(res, new TwilioApiError(400, 21218, `Invalid 'Status' value: ${status}`));
    }
    if (url !== undefined) {
      if (!absoluteUrl.safeParse(url).success)
        return sendError(res, new TwilioApiError(400, 21205, `Url is not a valid URL: ${url}`));
      if (!status && !engine.redirect(call, url, httpMethod(formValue(req.body?.Method)))) {
        return sendError(res, new TwilioApiError(400, 21220, "Call is not in-progress. Cannot redirect."));
      }
    }
    // Hanging up an ended call changes nothing; the resource is returned as it is.
    if (status && !FINAL_STATUSES.has(call.status)) engine.hangUp(call, status);
    res.json(callJson(call));
  });
  account.delete("/Calls/:file", (req, res) => {
    const call = engine.calls.get(sidOf(req.params.file, "CA", ".json") ?? "");
    if (!call) return sendError(res, notFound(req));
    if (!FINAL_STATUSES.has(call.status))
      return sendError(res, new TwilioApiError(400, 20009, "Cannot delete a call that is in progress"));
    engine.calls.delete(call.sid);
    res.status(204).end();
  });

  if (messaging) {
    account.post("/Messages.json", (req, res) => {
      const r = messaging.create((req.body ?? {}) as Record<string, unknown>);
      if (!r.ok) return sendError(res, new TwilioApiError(r.status, r.code, r.message));
      res.status(201).json(messageJson(r.message));
    });
    account.get("/Messages/:file", (req, res) => {
      const m = /^(SM[0-9a-fA-F]{32})\.json$/.exec(req.params.file ?? "");
      const message = m ? messaging.messages.get(m[1]) : undefined;
      if (!message) return sendError(res, notFound(req));
      res.json(messageJson(message));
    });
  }

  account.get("/Recordings/:file", (req, res) => {
    const file = req.params.file;
    const jsonSid = sidOf(file, "RE", ".json");
    const mp3Sid = sidOf(file, "RE", ".mp3");
    const rec = engine.recordings.get(jsonSid ?? mp3Sid ?? sidOf(file, "RE", ".wav") ?? sidOf(file, "RE", "") ?? "");
    if (!rec) return sendError(res, notFound(req));
    if (jsonSid) return res.json(recordingJson(rec, apiBase()));
    if (mp3Sid) {
      // As Twilio, MP3 on request: a valid stream of about the recording's length, tagged with its SID (see mp3.ts).
      const mp3 = taggedVoiceMp3(rec.durationSeconds, rec.sid);
      return res.set("Content-Type", "audio/mpeg").set("Content-Length", String(mp3.length)).send(mp3);
    }
    res.set("Content-Type", "audio/x-wav").set("Content-Length", String(rec.wav.length)).send(rec.wav);
  });
  account.delete("/Recordings/:file", (req, res) => {
    const sid = sidOf(req.params.file, "RE", ".json") ?? "";
    if (!engine.recordings.delete(sid)) return sendError(res, notFound(req));
    res.status(204).end();
  });

  r.use((req: Request, res: Response) => sendError(res, notFound(req)));
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof TwilioApiError) return sendError(res, err);
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500)
      return sendError(res, new TwilioApiError(status, 20001, (err as Error).message));
    sendError(res, new TwilioApiError(500, 20500, "Internal Server Error"));
  });
  return r;
}

const formValue = (v: unknown): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : typeof v === "string" ? v : undefined;

function sidOf(file: string | undefined, prefix: "CA" | "RE", ext: string): string | undefined {
  const m = new RegExp(`^(${prefix}[0-9a-fA-F]{32})${ext.replace(".", "\\.")}$`).exec(file ?? "");
  return m?.[1];
}
