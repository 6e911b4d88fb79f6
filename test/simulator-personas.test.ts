import { describe, expect, it } from "vitest";
import {
  createPersona,
  gatherReply,
  personaForNumber,
  plannedScore,
  QUESTION_MEANS,
} from "../src/telephony/simulator/personas.js";
import { expectedScore, latentForMean } from "../src/telephony/simulator/scores.js";
import { parseTwiml, TwimlParseError } from "../src/telephony/simulator/twiml.js";

describe("personas", () => {
  it("are deterministic: the same seed gives the same citizen and the same scores", () => {
    expect(createPersona(42)).toEqual(createPersona(42));
    expect(plannedScore(createPersona(42), "kunskap")).toBe(plannedScore(createPersona(42), "kunskap"));
    expect(personaForNumber("+46701740605")).toEqual(personaForNumber("+46701740605"));
    expect(personaForNumber("+46701740605")).not.toEqual(personaForNumber("+46701740606"));
  });

  it("aims keypad means where they are asked for, despite the 5 ceiling", () => {
    for (const m of [3.7, 3.9, 4.3, 4.5, 4.7]) expect(expectedScore(latentForMean(m))).toBeCloseTo(m, 3);
  });

  it("a population of citizens scores like a real kundcenter: bemötande highest, svarstid lowest, overall about 4.3", () => {
    const n = 6000;
    const sums: Record<string, number> = {};
    for (let seed = 1; seed <= n; seed++) {
      const p = createPersona(seed);
      for (const q of Object.keys(QUESTION_MEANS)) sums[q] = (sums[q] ?? 0) + plannedScore(p, q);
    }
    const mean = (q: string) => sums[q] / n;
    expect(mean("bemotande")).toBeCloseTo(4.5, 1);
    expect(mean("svarstid")).toBeCloseTo(3.9, 1);
    const overall = Object.keys(QUESTION_MEANS).reduce((s, q) => s + mean(q), 0) / 7;
    expect(overall).toBeGreaterThan(4.2);
    expect(overall).toBeLessThan(4.4);
  });

  it("mixes outcomes: most answer, some never pick up, a few are busy or voicemail", () => {
    const ps = Array.from({ length: 4000 }, (_, i) => createPersona(i + 1));
    const share = (f: (p: ReturnType<typeof createPersona>) => boolean) => ps.filter(f).length / ps.length;
    expect(share((p) => p.pickup === "answer")).toBeCloseTo(0.8, 1);
    expect(share((p) => p.pickup === "no-answer")).toBeGreaterThan(0.08);
    expect(share((p) => p.pickup === "busy")).toBeGreaterThan(0.02);
    expect(share((p) => p.machine)).toBeGreaterThan(0.04);
    expect(share((p) => p.message.seconds > 0)).toBeGreaterThan(0.2);
    expect(share((p) => p.optOutAt !== null)).toBeGreaterThan(0.01);
  });

  it("answers a keypad question according to its traits", () => {
    const base = createPersona(5, { machine: false, optOutAt: null, hangUpAt: null, silentAt: [], invalidAt: [] });
    expect(gatherReply(base, "kunskap", 2, 0)).toMatchObject({
      kind: "press",
      keys: String(plannedScore(base, "kunskap")),
    });
    expect(gatherReply({ ...base, optOutAt: 0 }, "svarstid", 0, 0)).toMatchObject({ kind: "press", keys: "*" });
    expect(gatherReply({ ...base, hangUpAt: 3 }, "fick_hjalp", 3, 0)).toEqual({ kind: "hangup" });
    expect(gatherReply({ ...base, silentAt: [1] }, "bemotande", 1, 0)).toEqual({ kind: "silent" });
    expect(gatherReply({ ...base, silentAt: [1] }, "bemotande", 1, 1)).toMatchObject({ kind: "press" });
    expect(gatherReply({ ...base, invalidAt: [1] }, "bemotande", 1, 0)).toMatchObject({
      keys: expect.stringMatching(/^[09]$/),
    });
    expect(gatherReply({ ...base, machine: true }, "bemotande", 1, 0)).toEqual({ kind: "silent" });
  });

  it("takes score tendencies per question from its profile", () => {
    const low = Array.from({ length: 2000 }, (_, i) =>
      plannedScore(createPersona(i, { scoreMeans: { kunskap: 3.2 } }), "kunskap"),
    );
    expect(low.reduce((a, b) => a + b, 0) / low.length).toBeCloseTo(3.2, 1);
  });
});

describe("TwiML reader", () => {
  it("reads verbs, attributes, nested prompts, entities and comments", () => {
    const verbs = parseTwiml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- survey -->\n<Response>\n  <Gather numDigits="1" action="/g?step=a&amp;x=1"><Say voice="Polly.Astrid" language="sv-SE">Tryck &quot;1&quot; &#8211; tack</Say></Gather>\n  <Redirect method="POST">/next</Redirect><Hangup/>\n</Response>`,
    );
    expect(verbs.map((v) => v.name)).toEqual(["Gather", "Redirect", "Hangup"]);
    expect(verbs[0].attrs).toEqual({ numDigits: "1", action: "/g?step=a&x=1" });
    expect(verbs[0].children[0]).toMatchObject({
      name: "Say",
      text: 'Tryck "1" – tack',
      attrs: { voice: "Polly.Astrid", language: "sv-SE" },
    });
    expect(verbs[1].text).toBe("/next");
  });

  it("refuses documents Twilio would refuse", () => {
    expect(() => parseTwiml("<Response><Say>hej</Response>")).toThrow(TwimlParseError);
    expect(() => parseTwiml("<Say>hej</Say>")).toThrow(TwimlParseError);
    expect(() => parseTwiml("not xml")).toThrow(TwimlParseError);
  });
});
