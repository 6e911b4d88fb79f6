/**
 * A small TwiML reader: enough XML for what Twilio accepts (a <Response> of
 * verbs with attributes, text and nested verbs; comments, CDATA, the XML
 * declaration and the five predefined entities plus numeric references).
 * A document it cannot read is reported like Twilio's error 12100.
 */
export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  children: TwimlNode[];
  text: string;
}

export class TwimlParseError extends Error {}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/\s*([A-Za-z][\w:.-]*)\s*>|<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses a TwiML document and returns the verbs of its <Response>. */
export function parseTwiml(xml: string): TwimlNode[] {
  const root: TwimlNode = { name: "#root", attrs: {}, children: [], text: "" };
  const stack: TwimlNode[] = [root];
  let consumed = 0;
  for (const m of xml.matchAll(TOKEN)) {
    if (m.index !== consumed) throw new TwimlParseError(`unexpected character at offset ${consumed}`);
    consumed = m.index + m[0].length;
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2]) {
      if (top.name !== m[2]) throw new TwimlParseError(`</${m[2]}> does not close <${top.name}>`);
      stack.pop();
    } else if (m[3]) {
      const attrs: Record<string, string> = {};
      for (const a of (m[4] ?? "").matchAll(ATTR)) attrs[a[1]] = decode(a[2] ?? a[3] ?? "");
      const node: TwimlNode = { name: m[3], attrs, children: [], text: "" };
      top.children.push(node);
      if (!m[5]) stack.push(node);
    } else if (m[6] !== undefined) {
      top.text += decode(m[6]);
    }
  }
  if (consumed !== xml.length) throw new TwimlParseError(`unexpected character at offset ${consumed}`);
  if (stack.length !== 1) throw new TwimlParseError(`<${stack[stack.length - 1].name}> is not closed`);
  const elements = root.children;
  if (elements.length !== 1 || elements[0].name !== "Response") {
    throw new TwimlParseError("the document must have exactly one <Response> root element");
  }
  const trim = (n: TwimlNode): TwimlNode => ({ ...n, text: n.text.trim(), children: n.children.map(trim) });
  return elements[0].children.map(trim);
}
