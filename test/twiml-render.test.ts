import twilio from "twilio";
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse.js";
import { describe, expect, it } from "vitest";
import { msg } from "../src/i18n/index.js";
import { advance, closing, renderStep, type TwimlNode } from "../src/survey/engine.js";
import type { Flow, Prompt } from "../src/survey/flow-schema.js";
import { loadFlows } from "../src/survey/flows.js";
import { fallbackTwiml, renderTwiml, twilioUrls, type RenderContext } from "../src/survey/twiml.js";

// The renderer as it was with twilio-node's VoiceResponse builder: the string
// renderer (src/survey/twiml.ts) must write exactly the same bytes.
type Speaker = Pick<VoiceResponse, "say" | "play">;
type SayAttributes = Parameters<Speaker["say"]>[0];

function spoken(text: string, language: string | undefined, rc: RenderContext): string {
  const fallback = msg((language ?? "sv").startsWith("en") ? "en" : "sv").survey.privacyInfoFallback;
  return text
    .replaceAll("{organization}", rc.organizationName)
    .replaceAll("{privacyInfo}", rc.privacyInfo?.trim() || fallback);
}

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

function builderTwiml(nodes: TwimlNode[], rc: RenderContext): string {
  const response = new twilio.twiml.VoiceResponse();
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
          finishOnKey: "",
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

function builderFallback(kind: "ended" | "error"): string {
  const response = new twilio.twiml.VoiceResponse();
  const text =
    kind === "error"
      ? "Tyvärr blev det ett tekniskt fel hos oss, och vi ber om ursäkt. Hej då!"
      : "Den här undersökningen är redan avslutad. Tack ändå, och hej då!";
  response.say({ voice: "Polly.Astrid", language: "sv-SE" }, text);
  response.hangup();
  return response.toString();
}

/** Every TwiML document a flow can produce: each step and try, the closings, and the engine's own answers. */
function documents(flow: Flow): TwimlNode[][] {
  const steps = ["intro", ...flow.questions.map((q) => q.key), "message", "end"];
  const out: TwimlNode[][] = [[], closing(flow.error), closing(flow.ended), closing(flow.optedOut)];
  for (const step of steps)
    for (const t of [0, 1]) {
      out.push(renderStep(flow, { step, try: t }));
      for (const digits of ["1", "5", "9", "#", "*"])
        out.push(advance(flow, { step, try: t }, { kind: "digits", step, try: t, digits }).render);
      out.push(advance(flow, { step, try: t }, { kind: "no-input", step, try: t }).render);
    }
  out.push(advance(flow, {}, { kind: "start" }).render);
  return out;
}

const TRICKY = [
  "",
  "Kommunen",
  "Bygg & Miljö <nämnd> \"citat\" 'apostrof'",
  "rad\nbryt\ttab\rretur",
  "&amp; redan &lt;kodad&gt;",
  "emoji 😀 och ÅÄÖ åäö é ß",
  "]]> --> <!-- ?>",
];

describe("TwiML string renderer", () => {
  const flows = loadFlows();

  it("writes exactly what twilio-node's VoiceResponse builder writes, for every document of every flow", () => {
    let compared = 0;
    for (const id of flows.ids()) {
      const flow = flows.getFlow(id);
      for (const nodes of documents(flow))
        for (const org of TRICKY)
          for (const privacy of [null, "  ", "https://kommun.se/?a=1&b=<2>", org]) {
            const rc: RenderContext = {
              baseUrl: "https://nki.example.se",
              surveyId: "6f1c1a52-5d7e-4a8e-9a39-3d2f1c0b9e11",
              flowId: flow.id,
              flowVersion: flow.version,
              organizationName: org,
              privacyInfo: privacy,
            };
            expect(renderTwiml(nodes, rc)).toBe(builderTwiml(nodes, rc));
            compared++;
          }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("escapes step tokens, base URLs and play files in attributes and text as the builder does", () => {
    const flow = flows.getFlow("nki-sv");
    const rc: RenderContext = {
      baseUrl: 'https://h.example/x?q="a"&b=<c>\t',
      surveyId: 'id&"<>',
      flowId: "flow&<\"'>",
      organizationName: "Org",
    };
    const nodes: TwimlNode[] = [
      { kind: "prompt", prompt: { play: "a&b<c>.mp3" } as Prompt },
      { kind: "gather", step: 'st"ep&<>', try: 3, timeoutSeconds: 7, prompts: [{ play: "x y.mp3" }] },
      { kind: "record", step: "message&", try: 0, maxLengthSeconds: 120, silenceTimeoutSeconds: 5 },
      { kind: "redirect", step: "a\nb", try: 1 },
      { kind: "gather", step: "empty", try: 0, timeoutSeconds: 1, prompts: [] },
      ...closing(flow.error),
    ];
    expect(renderTwiml(nodes, rc)).toBe(builderTwiml(nodes, rc));
  });

  it("refuses characters XML 1.0 does not allow, as the builder does", () => {
    const flow = flows.getFlow("nki-sv");
    const rc: RenderContext = { baseUrl: "https://h", surveyId: "s", flowId: flow.id, organizationName: "a\u0001b" };
    const nodes = advance(flow, {}, { kind: "start" }).render;
    expect(JSON.stringify(nodes)).toContain("{organization}");
    expect(() => builderTwiml(nodes, rc)).toThrow(/Invalid character/);
    expect(() => renderTwiml(nodes, rc)).toThrow(/Invalid character/);
    const lone = { ...rc, organizationName: "x\uD800y" };
    expect(() => builderTwiml(nodes, lone)).toThrow(/Invalid character/);
    expect(() => renderTwiml(nodes, lone)).toThrow(/Invalid character/);
  });

  it("answers the same fallback documents", () => {
    expect(fallbackTwiml("error")).toBe(builderFallback("error"));
    expect(fallbackTwiml("ended")).toBe(builderFallback("ended"));
  });
});
