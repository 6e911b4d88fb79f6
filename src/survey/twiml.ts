import type { Prompt } from "./flow-schema.js";
import type { TwimlNode } from "./engine.js";
import { withConnectionOverrides } from "../telephony/signature.js";
import { msg } from "../i18n/index.js";

export interface RenderContext {
  /** PUBLIC_BASE_URL: Twilio needs absolute URLs that it can reach and that we can validate signatures against. */
  baseUrl: string;
  surveyId: string;
  /** The survey's flow: its callbacks name it, so a keypress can be handled before the survey is read. */
  flowId: string;
  /** The flow version the survey runs on, carried in callbacks so it keeps it (flow-versions.ts). */
  flowVersion?: string;
  /** Substituted into {organization} in spoken text. */
  organizationName: string;
  /** Substituted into {privacyInfo}: where the citizen reads more about what is recorded (a setting). */
  privacyInfo?: string | null;
}

/** {privacyInfo} when the organization has not set its own: the municipality's website, in the prompt's language. */
function spoken(text: string, language: string | undefined, rc: RenderContext): string {
  const fallback = msg((language ?? "sv").startsWith("en") ? "en" : "sv").survey.privacyInfoFallback;
  return text
    .replaceAll("{organization}", rc.organizationName)
    .replaceAll("{privacyInfo}", rc.privacyInfo?.trim() || fallback);
}

/** Query string that ties a callback to the step it answers (stale callbacks are recognised by it). */
function stepQuery(rc: RenderContext, step: string, t: number): string {
  const q = new URLSearchParams({ surveyId: rc.surveyId, flow: rc.flowId, step, try: String(t) });
  if (rc.flowVersion) q.set("v", rc.flowVersion);
  return q.toString();
}

export function twilioUrls(rc: RenderContext) {
  const q = (path: string, step: string, t: number) => `${rc.baseUrl}/twilio/${path}?${stepQuery(rc, step, t)}`;
  return {
    gather: (step: string, t: number) => q("gather", step, t),
    noInput: (step: string, t: number) => q("no-input", step, t),
    recorded: (step: string, t: number) => q("recorded", step, t),
    /** Handled by the dispatcher feature (download and store the audio). */
    recordingStatus: () =>
      withConnectionOverrides(`${rc.baseUrl}/twilio/recording?${new URLSearchParams({ surveyId: rc.surveyId })}`),
  };
}

/**
 * TwiML written as a string, byte for byte what twilio-node's VoiceResponse
 * builder (xmlbuilder) writes for the same calls: the builder cost a tenth of
 * a millisecond of CPU per webhook, about as much as the rest of the turn.
 * test/twiml-render.test.ts holds the two equal, special characters included.
 * Text is escaped as xmlbuilder escapes it (& < > CR) and, as there, a
 * character XML 1.0 does not allow throws; attribute values are escaped as
 * twilio-node's attribute stringifier does (& < " TAB LF CR, arrays joined by
 * spaces, undefined attributes left out).
 */
type AttrValue = string | number | boolean | string[] | undefined;
type Attrs = Record<string, AttrValue>;

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTR_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  '"': "&quot;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};
// xmlbuilder's XML 1.0 check: control characters, U+FFFE/U+FFFF and unpaired surrogates.
const INVALID_XML_CHAR =
  /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

function escapeText(value: string): string {
  const escaped = value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]);
  const bad = INVALID_XML_CHAR.exec(escaped);
  if (bad) throw new Error(`Invalid character in string: ${escaped} at index ${bad.index}`);
  return escaped;
}

function attributes(attrs: Attrs): string {
  let out = "";
  for (const name in attrs) {
    const v = attrs[name];
    if (v === undefined) continue;
    const s = Array.isArray(v) ? v.join(" ") : String(v);
    out += ` ${name}="${s.replace(/[&<"\t\n\r]/g, (c) => ATTR_ESCAPES[c])}"`;
  }
  return out;
}

/** One element; `inner` is already-escaped content (empty: a self-closing tag, as xmlbuilder writes it). */
function element(name: string, attrs: Attrs, inner: string): string {
  return inner === "" ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${inner}</${name}>`;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

function speak(prompt: Prompt, rc: RenderContext): string {
  if ("play" in prompt) return element("Play", {}, escapeText(`${rc.baseUrl}/twilio/${prompt.play}`));
  return element(
    "Say",
    { voice: prompt.voice, language: prompt.language },
    escapeText(spoken(prompt.say, prompt.language, rc)),
  );
}

/** Turns the engine's description into TwiML (text and attributes escaped; see above). */
export function renderTwiml(nodes: TwimlNode[], rc: RenderContext): string {
  const urls = twilioUrls(rc);
  let body = "";
  for (const node of nodes) {
    switch (node.kind) {
      case "prompt":
        body += speak(node.prompt, rc);
        break;
      case "gather": {
        let prompts = "";
        for (const p of node.prompts) prompts += speak(p, rc);
        body += element(
          "Gather",
          {
            input: ["dtmf"],
            numDigits: 1,
            timeout: node.timeoutSeconds,
            // Empty finishOnKey: # and * then arrive as digits (star opts out; # is an invalid answer).
            finishOnKey: "",
            // Silence falls through to the <Redirect> that follows, which carries the step token.
            actionOnEmptyResult: false,
            action: urls.gather(node.step, node.try),
            method: "POST",
          },
          prompts,
        );
        break;
      }
      case "record":
        body += element(
          "Record",
          {
            action: urls.recorded(node.step, node.try),
            method: "POST",
            maxLength: node.maxLengthSeconds,
            timeout: node.silenceTimeoutSeconds,
            finishOnKey: "#",
            playBeep: true,
            trim: "trim-silence",
            recordingStatusCallback: urls.recordingStatus(),
            recordingStatusCallbackEvent: ["completed"],
            recordingStatusCallbackMethod: "POST",
          },
          "",
        );
        break;
      case "redirect":
        body += element("Redirect", { method: "POST" }, escapeText(urls.noInput(node.step, node.try)));
        break;
      case "hangup":
        body += element("Hangup", {}, "");
        break;
    }
  }
  return XML_DECLARATION + element("Response", {}, body);
}

const FALLBACK = {
  error: "Tyvärr blev det ett tekniskt fel hos oss, och vi ber om ursäkt. Hej då!",
  ended: "Den här undersökningen är redan avslutad. Tack ändå, och hej då!",
};
const fallbackDocument = (kind: keyof typeof FALLBACK) =>
  XML_DECLARATION +
  element(
    "Response",
    {},
    element("Say", { voice: "Polly.Astrid", language: "sv-SE" }, escapeText(FALLBACK[kind])) +
      element("Hangup", {}, ""),
  );
const FALLBACK_TWIML = { error: fallbackDocument("error"), ended: fallbackDocument("ended") };

/** Used when not even a flow is at hand (unknown survey, broken flow): still valid TwiML, still polite. */
export function fallbackTwiml(kind: "ended" | "error"): string {
  return FALLBACK_TWIML[kind];
}
