import { gatherReply, isQuestion } from "./personas.js";
import { newSid, rfc2822 } from "./store.js";
import { parseTwiml, type TwimlNode } from "./twiml.js";
import type { VirtualCall } from "./virtual-call.js";
import { generateVoiceWav } from "./wav.js";
import { httpMethod, resolveUrl, sendWebhook, type Params } from "./webhook-client.js";

/**
 * Runs TwiML the way Twilio does for the verbs the survey uses
 * (https://www.twilio.com/docs/voice/twiml): verbs in order; <Gather> and
 * <Record> hand control to their action URL; <Redirect> fetches a new
 * document; <Hangup> or the end of the document ends the call. Every request
 * is signed. A document that cannot be fetched or read ends the call, as
 * Twilio's "application error" does (errors 11200 / 12100).
 */
type Next =
  { kind: "fetch"; url: string; method: "GET" | "POST"; params: Params; thenHangUp?: boolean } | { kind: "hangup" };

export class CitizenHungUp extends Error {}

/** Roughly how long TTS takes to read a text (about 14 characters a second). */
export const sayingSeconds = (text: string) => Math.max(0.5, text.length / 14);
/** An audio file's length is unknown without fetching it; prompts are short. */
const PLAY_SECONDS = 4;
const BEEP_SECONDS = 0.5;
const KEY_GAP_SECONDS = 0.3;

const loops = (n: TwimlNode) => {
  const l = Number(n.attrs.loop ?? 1);
  // loop="0" repeats until the call ends; the citizen has heard enough after three.
  return Number.isFinite(l) && l > 0 ? l : 3;
};

function verbSeconds(n: TwimlNode): number {
  if (n.name === "Say") return sayingSeconds(n.text) * loops(n);
  if (n.name === "Play") return n.attrs.digits ? n.attrs.digits.length * 0.5 : PLAY_SECONDS * loops(n);
  if (n.name === "Pause") return Number(n.attrs.length ?? 1) || 1;
  return 0;
}

export async function runTwiml(vc: VirtualCall, url: string, method: "GET" | "POST"): Promise<void> {
  let next: Next = { kind: "fetch", url, method, params: vc.syncAnsweredBy ? { AnsweredBy: vc.syncAnsweredBy } : {} };
  while (next.kind === "fetch") {
    const current: Extract<Next, { kind: "fetch" }> = next;
    const res = await sendWebhook(vc.deps.authToken, current.url, current.method, {
      ...vc.baseParams(),
      ...current.params,
    });
    if (current.thenHangUp) throw new CitizenHungUp();
    if (res.status < 200 || res.status >= 300) {
      vc.log.warn("simulator: TwiML request failed, hanging up (Twilio error 11200)", {
        url: current.url,
        status: res.status,
      });
      return;
    }
    let verbs: TwimlNode[];
    try {
      verbs = parseTwiml(res.body);
    } catch (err) {
      vc.log.warn("simulator: invalid TwiML, hanging up (Twilio error 12100)", {
        url: current.url,
        err: (err as Error).message,
      });
      return;
    }
    next = await runVerbs(vc, verbs, current.url);
  }
}

async function runVerbs(vc: VirtualCall, verbs: TwimlNode[], docUrl: string): Promise<Next> {
  for (const verb of verbs) {
    switch (verb.name) {
      case "Say":
      case "Play":
      case "Pause":
        await vc.sleep(verbSeconds(verb));
        break;
      case "Gather": {
        const next = await gather(vc, verb, docUrl);
        if (next) return next;
        break;
      }
      case "Record": {
        const next = await record(vc, verb, docUrl);
        if (next) return next;
        break;
      }
      case "Redirect":
        return { kind: "fetch", url: resolveUrl(verb.text, docUrl), method: httpMethod(verb.attrs.method), params: {} };
      case "Hangup":
      case "Reject":
        return { kind: "hangup" };
      default:
        vc.log.debug("simulator: verb not simulated, skipped", { verb: verb.name });
    }
  }
  return { kind: "hangup" };
}

/** https://www.twilio.com/docs/voice/twiml/gather: digits go to `action`; no input falls through to the next verb. */
async function gather(vc: VirtualCall, verb: TwimlNode, docUrl: string): Promise<Next | null> {
  const a = verb.attrs;
  const action = resolveUrl(a.action, docUrl);
  const questionKey = new URL(action).searchParams.get("step") ?? `q${vc.answers.length}`;
  const asked = vc.askedCount(questionKey);
  const index = vc.questionIndex(questionKey, (k) => isQuestion(vc.persona, k));
  const prompt = verb.children.reduce((s, n) => s + verbSeconds(n), 0);
  const timeout = Number(a.timeout ?? 5);
  const numDigits = a.numDigits ? Number(a.numDigits) : Infinity;
  const finishOnKey = a.finishOnKey ?? "#";
  const reply = (a.input ?? "dtmf").includes("dtmf")
    ? gatherReply(vc.persona, questionKey, index, asked)
    : { kind: "silent" as const };

  if (reply.kind === "hangup") {
    await vc.sleep(prompt / 2);
    throw new CitizenHungUp();
  }
  let digits = "";
  let finishedOnKey = "";
  if (reply.kind === "press") {
    await vc.sleep(reply.bargeIn ? prompt * 0.6 : prompt + Math.min(reply.thinkSeconds, timeout - 0.5));
    for (const key of reply.keys) {
      await vc.sleep(KEY_GAP_SECONDS);
      if (finishOnKey.includes(key)) {
        finishedOnKey = key;
        break;
      }
      digits += key;
      if (digits.length >= numDigits) break;
    }
    // Without numDigits or finishOnKey, Gather ends after `timeout` seconds of no further input.
    if (!finishedOnKey && digits.length < numDigits) await vc.sleep(timeout);
  } else {
    await vc.sleep(prompt + timeout);
  }
  vc.answers.push({ questionKey, digits });
  if (!digits && a.actionOnEmptyResult !== "true") return null;
  return {
    kind: "fetch",
    url: action,
    method: httpMethod(a.method),
    params: { Digits: digits, FinishedOnKey: finishedOnKey },
  };
}

/**
 * https://www.twilio.com/docs/voice/twiml/record: the action gets RecordingUrl,
 * RecordingSid, RecordingDuration and Digits ("hangup" when the caller hung up;
 * the response is then ignored). An empty recording does not call the action:
 * the next verb runs. The recording status callback follows asynchronously.
 */
async function record(vc: VirtualCall, verb: TwimlNode, docUrl: string): Promise<Next | null> {
  const a = verb.attrs;
  const maxLength = Number(a.maxLength ?? 3600);
  const silenceTimeout = Number(a.timeout ?? 5);
  const finishOnKey = a.finishOnKey ?? "1234567890*#";
  const events = new Set((a.recordingStatusCallbackEvent ?? "completed").split(/[\s,]+/));
  const rsc = a.recordingStatusCallback ? resolveUrl(a.recordingStatusCallback, docUrl) : undefined;
  const rscMethod = httpMethod(a.recordingStatusCallbackMethod);
  const msg = vc.persona.machine ? { seconds: 0, end: "#" as const } : vc.persona.message;
  const sid = newSid("RE");
  const startTime = new Date();
  const common = () => ({
    AccountSid: vc.call.accountSid,
    CallSid: vc.call.sid,
    RecordingSid: sid,
    RecordingSource: "RecordVerb",
    RecordingStartTime: rfc2822(startTime)!,
    RecordingChannels: "1",
  });

  if (a.playBeep !== "false") await vc.sleep(BEEP_SECONDS);
  if (msg.seconds === 0) {
    await vc.sleep(msg.end === "hangup" ? 1 : silenceTimeout);
    if (rsc && events.has("absent"))
      vc.enqueue("recording status callback", rsc, rscMethod, {
        ...common(),
        RecordingStatus: "absent",
        RecordingDuration: "0",
        ErrorCode: "0",
      });
    if (msg.end === "hangup") throw new CitizenHungUp();
    return null;
  }
  if (rsc && events.has("in-progress"))
    vc.enqueue("recording status callback", rsc, rscMethod, {
      ...common(),
      RecordingStatus: "in-progress",
      ErrorCode: "0",
    });
  const seconds = Math.min(msg.seconds, maxLength);
  await vc.sleep(seconds);
  let digits: string | undefined;
  if (seconds < msg.seconds)
    digits = undefined; // maxLength reached
  else if (msg.end === "hangup") digits = "hangup";
  else if (finishOnKey.includes("#")) digits = "#";
  else await vc.sleep(silenceTimeout); // trailing silence is trimmed (trim-silence is the default)

  const durationSeconds = Math.round(seconds);
  const recordingUrl = `${vc.deps.apiBase()}/2010-04-01/Accounts/${vc.call.accountSid}/Recordings/${sid}`;
  vc.deps.saveRecording({
    sid,
    accountSid: vc.call.accountSid,
    callSid: vc.call.sid,
    dateCreated: new Date(),
    startTime,
    durationSeconds,
    wav: generateVoiceWav(seconds, vc.persona.seed),
  });
  vc.recording = { sid, durationSeconds };
  if (rsc && events.has("completed")) {
    vc.enqueue("recording status callback", rsc, rscMethod, {
      ...common(),
      RecordingUrl: recordingUrl,
      RecordingStatus: "completed",
      RecordingDuration: String(durationSeconds),
      ErrorCode: "0",
    });
  }
  const params: Params = { RecordingUrl: recordingUrl, RecordingSid: sid, RecordingDuration: String(durationSeconds) };
  if (digits !== undefined) params.Digits = digits;
  // The caller is gone by the time this request is made.
  if (digits === "hangup") params.CallStatus = "completed";
  return {
    kind: "fetch",
    url: resolveUrl(a.action, docUrl),
    method: httpMethod(a.method),
    params,
    thenHangUp: digits === "hangup",
  };
}
