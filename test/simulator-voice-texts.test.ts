import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { createPersona, QUESTION_MEANS } from "../src/telephony/simulator/personas.js";
import { recordingSidFromMp3, taggedVoiceMp3 } from "../src/telephony/simulator/mp3.js";
import { simulatorTranscriptionRouter } from "../src/telephony/simulator/transcription.js";
import {
  personaMeanScore,
  VOICE_TEXTS_BY_KIND,
  VoiceTextRegistry,
  voiceTextFor,
} from "../src/telephony/simulator/voice-texts.js";
import { suggest } from "../src/transcription/classify.js";
import { DEFAULT_RULES } from "../src/transcription/default-rules.js";

describe("the simulator's voice messages match the citizen who left them", () => {
  it("has the classification rules read each kind of text as that kind", () => {
    const expected = { praise: "berom", complaint: "klagomal", suggestion: "forslag", question: "fraga" } as const;
    for (const [kind, category] of Object.entries(expected))
      for (const text of VOICE_TEXTS_BY_KIND[kind as keyof typeof expected])
        expect({ text, got: suggest(DEFAULT_RULES, text).classification }).toEqual({ text, got: category });
  });

  it("lets satisfied citizens praise and never complain, and dissatisfied ones complain and never praise", () => {
    const kinds = { happy: new Map<string, number>(), unhappy: new Map<string, number>() };
    for (let seed = 1; seed <= 400; seed++) {
      const all = (mean: number) => Object.fromEntries(Object.keys(QUESTION_MEANS).map((k) => [k, mean]));
      const happy = createPersona(seed, { scoreMeans: all(4.8) });
      const unhappy = createPersona(seed, { scoreMeans: all(1.4) });
      for (const [who, p] of [
        ["happy", happy],
        ["unhappy", unhappy],
      ] as const) {
        const mean = personaMeanScore(p);
        if (who === "happy" && mean < 4) continue;
        if (who === "unhappy" && mean > 2.5) continue;
        const { kind, text } = voiceTextFor(p);
        expect(VOICE_TEXTS_BY_KIND[kind]).toContain(text);
        expect(voiceTextFor(p)).toEqual({ kind, text });
        kinds[who].set(kind, (kinds[who].get(kind) ?? 0) + 1);
      }
    }
    expect(kinds.happy.get("praise")).toBeGreaterThan(150);
    expect(kinds.happy.has("complaint")).toBe(false);
    expect(kinds.unhappy.get("complaint")).toBeGreaterThan(150);
    expect(kinds.unhappy.has("praise")).toBe(false);
  });

  it("tags each recording's MP3 with its SID, so recordings of the same length are told apart", () => {
    const a = taggedVoiceMp3(6, "RE0123456789abcdef0123456789abcdef");
    const b = taggedVoiceMp3(6, "REfedcba9876543210fedcba9876543210");
    expect(a.equals(b)).toBe(false);
    expect(recordingSidFromMp3(a)).toBe("RE0123456789abcdef0123456789abcdef");
    expect(recordingSidFromMp3(b)).toBe("REfedcba9876543210fedcba9876543210");
    expect(recordingSidFromMp3(Buffer.from("RIFF....WAVE"))).toBeNull();
  });

  it("answers the text the citizen said for the MP3 the service stored", async () => {
    const voices = new VoiceTextRegistry();
    const sid = "RE00000000000000000000000000000042";
    voices.remember({ sid, wav: Buffer.from("some wav") }, VOICE_TEXTS_BY_KIND.praise[2]);
    const sim = express().use(
      simulatorTranscriptionRouter(voices, createLogger("error", { silent: true }), { failureRate: 0 }),
    );
    const server = await new Promise<Server>((resolve) => {
      const s = sim.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const form = new FormData();
      form.set("file", new Blob([new Uint8Array(taggedVoiceMp3(8, sid))], { type: "audio/mpeg" }), "m.mp3");
      form.set("model", "sim");
      form.set("response_format", "json");
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/audio/transcriptions`, {
        method: "POST",
        body: form,
      });
      expect(await res.json()).toEqual({ text: VOICE_TEXTS_BY_KIND.praise[2] });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
