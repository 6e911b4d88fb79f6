import { describe, expect, it } from "vitest";
import { advance, type EngineInput, type EngineResult, type Progress } from "../src/survey/engine.js";
import { loadFlows } from "../src/survey/flows.js";

const flow = loadFlows().getFlow("nki-sv");
const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];

const digits = (p: Progress, d: string): EngineInput => ({ kind: "digits", step: p.step, try: p.try, digits: d });
const silence = (p: Progress): EngineInput => ({ kind: "no-input", step: p.step, try: p.try });
const kinds = (r: EngineResult) => r.render.map((n) => n.kind);

describe("survey flow engine", () => {
  it("starts with the greeting (listening only for star) and then the first question, followed by a redirect for silence", () => {
    const r = advance(flow, {}, { kind: "start" });
    expect(r.effect).toBe("started");
    expect(r.progress).toEqual({ step: "svarstid", try: 0 });
    expect(kinds(r)).toEqual(["gather", "gather", "redirect"]);
    expect(r.render[0]).toMatchObject({ step: "intro", timeoutSeconds: 1, prompts: flow.greeting });
    expect(r.render[1]).toMatchObject({
      step: "svarstid",
      try: 0,
      timeoutSeconds: 7,
      prompts: flow.questions[0].prompt,
    });
    expect(r.render[2]).toEqual({ kind: "redirect", step: "svarstid", try: 0 });
  });

  it("asks the seven questions in order, stores each score, then the optional message, then thanks", () => {
    let p: Progress = advance(flow, {}, { kind: "start" }).progress;
    const stored: unknown[] = [];
    for (const [i, key] of KEYS.entries()) {
      expect(p).toEqual({ step: key, try: 0 });
      const r = advance(flow, p, digits(p, String((i % 5) + 1)));
      stored.push(r.answer);
      expect(r.keypress).toBe(true);
      expect(r.effect).toBe(i === KEYS.length - 1 ? "questionsDone" : "none");
      p = r.progress;
    }
    expect(stored).toEqual(KEYS.map((k, i) => ({ questionKey: k, score: (i % 5) + 1 })));
    expect(p).toEqual({ step: "message", try: 0 });
    const msg = advance(flow, p, { kind: "recorded", step: "message", try: 0 });
    expect(msg.progress).toEqual({ step: "end", try: 0 });
    expect(msg.effect).toBe("none");
    expect(msg.render).toEqual([...flow.thanks.map((prompt) => ({ kind: "prompt", prompt })), { kind: "hangup" }]);
  });

  it("renders the message step as explanation, record and a redirect for an empty recording", () => {
    const r = advance(flow, { step: "rekommendera", try: 0 }, digits({ step: "rekommendera", try: 0 }, "5"));
    expect(kinds(r)).toEqual(["gather", "record", "redirect"]);
    expect(r.render[1]).toEqual({
      kind: "record",
      step: "message",
      try: 0,
      maxLengthSeconds: 120,
      silenceTimeoutSeconds: 8,
    });
  });

  it("an empty recording (the redirect after Record) ends with thanks", () => {
    const r = advance(flow, { step: "message", try: 0 }, silence({ step: "message", try: 0 }));
    expect(r.progress.step).toBe("end");
    expect(kinds(r)).toEqual(["prompt", "hangup"]);
  });

  it("a key during the message explanation skips straight to the beep", () => {
    const r = advance(flow, { step: "message", try: 0 }, digits({ step: "message", try: 0 }, "1"));
    expect(r.progress).toEqual({ step: "message", try: 1 });
    expect(kinds(r)).toEqual(["record", "redirect"]);
  });

  it.each(["0", "6", "9", "#", "12", "55"])(
    "re-asks once after the key %s, prefaced by the invalid-input prompt",
    (d) => {
      const r = advance(flow, { step: "kunskap", try: 0 }, digits({ step: "kunskap", try: 0 }, d));
      expect(r.answer).toBeUndefined();
      expect(r.keypress).toBe(true);
      expect(r.progress).toEqual({ step: "kunskap", try: 1 });
      expect(r.render[0]).toMatchObject({
        kind: "gather",
        step: "kunskap",
        try: 1,
        prompts: [...flow.invalidInput, ...flow.questions[3].prompt],
      });
    },
  );

  it("moves on unanswered after a second invalid key", () => {
    const r = advance(flow, { step: "kunskap", try: 1 }, digits({ step: "kunskap", try: 1 }, "7"));
    expect(r.answer).toBeUndefined();
    expect(r.progress).toEqual({ step: "fick_hjalp", try: 0 });
  });

  it("re-asks once after silence, then moves on unanswered", () => {
    const first = advance(flow, { step: "svarstid", try: 0 }, silence({ step: "svarstid", try: 0 }));
    expect(first.progress).toEqual({ step: "svarstid", try: 1 });
    expect(first.keypress).toBe(false);
    expect(first.render[0]).toMatchObject({ prompts: [...flow.noInput, ...flow.questions[0].prompt] });
    const second = advance(flow, first.progress, silence(first.progress));
    expect(second.answer).toBeUndefined();
    expect(second.progress).toEqual({ step: "bemotande", try: 0 });
  });

  it("accepts a valid key on the second try", () => {
    const r = advance(flow, { step: "svarstid", try: 1 }, digits({ step: "svarstid", try: 1 }, "3"));
    expect(r.answer).toEqual({ questionKey: "svarstid", score: 3 });
  });

  it("opts out on star at any point, including during the greeting and on a stale step", () => {
    for (const input of [
      digits({ step: "intro", try: 0 }, "*"),
      digits({ step: "helhet", try: 0 }, "*"),
      digits({ step: "svarstid", try: 0 }, "*"),
    ]) {
      const r = advance(flow, { step: "helhet", try: 0 }, input);
      expect(r.effect).toBe("optOut");
      expect(r.keypress).toBe(true);
      expect(r.render).toEqual([...flow.optedOut.map((prompt) => ({ kind: "prompt", prompt })), { kind: "hangup" }]);
    }
  });

  it("treats a replayed or late callback as stale: nothing stored, the current step rendered again", () => {
    const current = { step: "engagemang", try: 0 };
    for (const input of [
      digits({ step: "bemotande", try: 0 }, "4"),
      silence({ step: "engagemang", try: 1 }),
      { kind: "start" } as const,
    ]) {
      const r = advance(flow, current, input);
      expect(r.stale).toBe(true);
      expect(r.answer).toBeUndefined();
      expect(r.progress).toBe(current);
      expect(r.render[0]).toMatchObject({
        kind: "gather",
        step: "engagemang",
        try: 0,
        prompts: flow.questions[2].prompt,
      });
    }
  });

  it("a key during the greeting goes to the first question without answering it", () => {
    const r = advance(flow, { step: "svarstid", try: 0 }, digits({ step: "intro", try: 0 }, "5"));
    expect(r.answer).toBeUndefined();
    expect(r.keypress).toBe(true);
    expect(r.render[0]).toMatchObject({ step: "svarstid", try: 0 });
  });

  it("after the end, anything renders thanks and hangs up", () => {
    const r = advance(flow, { step: "end", try: 0 }, silence({ step: "end", try: 0 }));
    expect(r.stale).toBe(true);
    expect(kinds(r)).toEqual(["prompt", "hangup"]);
  });

  it("a flow without a message ends after the last question", () => {
    const { message: _m, ...noMessage } = flow;
    const r = advance(noMessage, { step: "rekommendera", try: 0 }, digits({ step: "rekommendera", try: 0 }, "2"));
    expect(r.effect).toBe("questionsDone");
    expect(r.progress.step).toBe("end");
    expect(kinds(r)).toEqual(["prompt", "hangup"]);
  });
});
