import twilio from "twilio";
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse.js";
import type { Prompt } from "./flow-schema.js";
import type { TwimlNode } from "./engine.js";
import { withConnectionOverrides } from "../telephony/signature.js";
import { msg } from "../i18n/index.js";

const { VoiceResponse: Response } = twilio.twiml;

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

type Speaker = Pick<VoiceResponse, "say" | "play">;
/** The flow schema validates voice and language; twilio-node types them as a closed list. */
type SayAttributes = Parameters<Speaker["say"]>[0];

function speak(target: Speaker, prompt: Prompt, rc: RenderContext) {
  if ("play" in prompt) {
    target.play({}, `${rc.baseUrl}/twilio/${prompt.play}`);
    return;
  }
  target.say(
    { voice: prompt.voice, language: prompt.language } as SayAttributes,
    spoken(prompt.say, prompt.language, rc),
  );
}

/** Turns the engine's description into TwiML with twilio-node's builder (which escapes text and attributes). */
export function renderTwiml(nodes: TwimlNode[], rc: RenderContext): string {
  const response = new Response();
  const urls = twilioUrls(rc);
  for (const node of nodes) {
    switch (node.kind) {
      case "prompt":
        speak(response, node.prompt, rc);
        break;
      case "gather": {
        const gather = response.gather({
          input: ["dtmf"],
          numDigits: 1,
          timeout: node.timeoutSeconds,
          // Empty finishOnKey: # and * then arrive as digits (star opts out; # is an invalid answer).
          finishOnKey: "",
          // Silence falls through to the <Redirect> that follows, which carries the step token.
          actionOnEmptyResult: false,
          action: urls.gather(node.step, node.try),
          method: "POST",
        });
        for (const p of node.prompts) speak(gather, p, rc);
        break;
      }
      case "record":
        response.record({
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
        });
        break;
      case "redirect":
        response.redirect({ method: "POST" }, urls.noInput(node.step, node.try));
        break;
      case "hangup":
        response.hangup();
        break;
    }
  }
  return response.toString();
}

/** Used when not even a flow is at hand (unknown survey, broken flow): still valid TwiML, still polite. */
export function fallbackTwiml(kind: "ended" | "error"): string {
  const response = new Response();
  const text =
    kind === "error"
      ? "Tyvärr blev det ett tekniskt fel hos oss, och vi ber om ursäkt. Hej då!"
      : "Den här undersökningen är redan avslutad. Tack ändå, och hej då!";
  response.say({ voice: "Polly.Astrid", language: "sv-SE" }, text);
  response.hangup();
  return response.toString();
}
