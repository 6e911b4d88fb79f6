import { XMLParser, XMLValidator } from "fast-xml-parser";

/** A TwiML element, simplified for assertions. */
export interface TwimlElement {
  verb: string;
  attrs: Record<string, string>;
  text?: string;
  children: TwimlElement[];
}

// The verbs and attributes our flows may use, as Twilio documents them
// (voice/twiml/say, play, gather, record, redirect, hangup, pause).
const ALLOWED: Record<string, string[]> = {
  Say: ["voice", "language", "loop"],
  Play: ["loop", "digits"],
  Pause: ["length"],
  Gather: [
    "action",
    "method",
    "timeout",
    "numDigits",
    "finishOnKey",
    "input",
    "actionOnEmptyResult",
    "language",
    "hints",
    "speechTimeout",
  ],
  Record: [
    "action",
    "method",
    "timeout",
    "finishOnKey",
    "maxLength",
    "playBeep",
    "trim",
    "recordingStatusCallback",
    "recordingStatusCallbackEvent",
    "recordingStatusCallbackMethod",
    "transcribe",
    "transcribeCallback",
  ],
  Redirect: ["method"],
  Hangup: [],
};
const NESTABLE_IN_GATHER = new Set(["Say", "Play", "Pause"]);

type Node = Record<string, unknown> & { ":@"?: Record<string, string> };

function toElement(node: Node, parent: string): TwimlElement {
  const verb = Object.keys(node).find((k) => k !== ":@")!;
  const allowed = ALLOWED[verb];
  if (!allowed) throw new Error(`<${verb}> is not an allowed TwiML verb here`);
  if (parent === "Gather" && !NESTABLE_IN_GATHER.has(verb)) throw new Error(`<${verb}> may not be nested in <Gather>`);
  if (parent !== "Response" && parent !== "Gather") throw new Error(`<${verb}> may not be nested in <${parent}>`);
  const attrs = Object.fromEntries(Object.entries(node[":@"] ?? {}).map(([k, v]) => [k.replace(/^@_/, ""), String(v)]));
  for (const a of Object.keys(attrs)) if (!allowed.includes(a)) throw new Error(`<${verb}> has no attribute ${a}`);
  const content = (node[verb] as Node[]) ?? [];
  const textNode = content.find((c) => "#text" in c);
  const children = content.filter((c) => !("#text" in c)).map((c) => toElement(c, verb));
  return { verb, attrs, ...(textNode ? { text: String(textNode["#text"]) } : {}), children };
}

/** Parses a webhook answer, throwing unless it is well-formed TwiML made of allowed verbs and attributes. */
export function parseTwiml(xml: string): TwimlElement[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    preserveOrder: true,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
  });
  const doc = parser.parse(xml) as Node[];
  const root = doc.find((n) => "Response" in n);
  if (!root) throw new Error("no <Response> root");
  return ((root.Response as Node[]) ?? []).map((n) => toElement(n, "Response"));
}

/** "Gather(Say) Gather(Say) Redirect": the shape of a response at a glance. */
export function shape(els: TwimlElement[]): string {
  return els.map((e) => (e.children.length ? `${e.verb}(${shape(e.children)})` : e.verb)).join(" ");
}
