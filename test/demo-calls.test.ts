import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { intakePayload, planDemoCall } from "../src/demo/calls.js";
import { FICTION_LANDLINE_NUMBERS, FICTION_MOBILE_NUMBERS, pickFictionNumber } from "../src/demo/numbers.js";
import { DEMO_AGENTS, DEMO_GROUPS } from "../src/demo/roster.js";
import { completedCallSchema, crossFieldProblems } from "../src/intake/schema.js";
import { createPersona, plannedScore, QUESTION_MEANS } from "../src/telephony/simulator/personas.js";
import { mulberry32 } from "../src/telephony/simulator/wav.js";

/** The demo's invented kundcenter, as pure functions: shares, waits, scores, payloads. */
const now = new Date("2026-03-10T10:00:00Z");
const calls = Array.from({ length: 6000 }, (_, i) => planDemoCall(mulberry32(1000 + i), now, i));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("demo calls", () => {
  it("posts payloads the intake API accepts", () => {
    for (const c of calls.slice(0, 300)) {
      const body = intakePayload(c, "+46701740605");
      expect(completedCallSchema.safeParse(body).success).toBe(true);
      expect(crossFieldProblems(completedCallSchema.parse(body), now)).toEqual([]);
    }
  });

  it("spreads calls over the svarsgrupper with Val 1 busiest and the report's queue times", () => {
    const byGroup = (key: string) => calls.filter((c) => c.group.key === key);
    const shares = DEMO_GROUPS.map((g) => byGroup(g.key).length);
    expect(Math.max(...shares)).toBe(byGroup("val1").length);
    expect(mean(byGroup("val1").map((c) => c.queueSeconds))).toBeGreaterThan(80);
    expect(mean(byGroup("val1").map((c) => c.queueSeconds))).toBeLessThan(100);
    expect(mean(byGroup("val2").map((c) => c.queueSeconds))).toBeLessThan(60);
    expect(mean(byGroup("val3").map((c) => c.queueSeconds))).toBeGreaterThan(150);
  });

  it("includes some calls under 10 seconds and some hidden numbers", () => {
    const short = calls.filter((c) => c.talkSeconds < 10).length / calls.length;
    const hidden = calls.filter((c) => c.hiddenNumber).length / calls.length;
    expect(short).toBeGreaterThan(0.02);
    expect(short).toBeLessThan(0.07);
    expect(hidden).toBeGreaterThan(0.015);
    expect(
      intakePayload(
        calls.find((c) => c.hiddenNumber)!,
        null,
      ).callerNumber,
    ).toBe("anonymous");
  });

  it("reports each call after it ended, never in the future", () => {
    for (const c of calls.slice(0, 200)) {
      expect(c.endedAt.getTime()).toBeLessThanOrEqual(now.getTime() - 30_000);
      expect((c.endedAt.getTime() - c.startedAt.getTime()) / 1000).toBe(c.queueSeconds + c.talkSeconds);
    }
  });

  it("gives results like a real kundcenter: overall about 4.3, bemötande highest, svarstid lowest, one agent clearly below their group", () => {
    const scores = calls.map((c, i) => {
      const p = createPersona(i + 1, { scoreMeans: c.scoreMeans });
      return Object.fromEntries(Object.keys(QUESTION_MEANS).map((q) => [q, plannedScore(p, q)]));
    });
    const q = (key: string, filter: (i: number) => boolean = () => true) =>
      mean(scores.filter((_, i) => filter(i)).map((s) => s[key]));
    const questionMeans = Object.keys(QUESTION_MEANS).map((k) => q(k));
    const overall = mean(questionMeans);
    expect(overall).toBeGreaterThan(4.2);
    expect(overall).toBeLessThan(4.4);
    expect(q("bemotande")).toBe(Math.max(...questionMeans));
    expect(q("svarstid")).toBe(Math.min(...questionMeans));

    const weak = DEMO_AGENTS.find((a) => a.effect < -0.3)!;
    const inVal3 = (i: number) => calls[i].group.key === weak.group;
    const weakMean = q("bemotande", (i) => inVal3(i) && calls[i].agent.externalId === weak.externalId);
    const restMean = q("bemotande", (i) => inVal3(i) && calls[i].agent.externalId !== weak.externalId);
    expect(restMean - weakMean).toBeGreaterThan(0.3);
  });
});

describe("demo roster and numbers", () => {
  it("has 17 invented agents with unique ids, none named in the source documents", () => {
    expect(DEMO_AGENTS).toHaveLength(17);
    expect(new Set(DEMO_AGENTS.map((a) => a.externalId)).size).toBe(17);
    const seedsDir = path.resolve("../shared/seeds");
    let seeds: string;
    try {
      seeds = readdirSync(seedsDir)
        .map((f) => readFileSync(path.join(seedsDir, f), "utf8"))
        .join("\n")
        .toLowerCase();
    } catch {
      return; // the source documents are not part of every checkout
    }
    for (const a of DEMO_AGENTS)
      for (const part of a.name.toLowerCase().split(" ")) expect(seeds).not.toMatch(new RegExp(`\\b${part}\\b`));
  });

  it("uses only numbers PTS reserves for fiction", () => {
    expect(FICTION_MOBILE_NUMBERS[0]).toBe("+46701740605");
    expect(FICTION_MOBILE_NUMBERS.at(-1)).toBe("+46701740699");
    expect(FICTION_MOBILE_NUMBERS).toHaveLength(95);
    expect(FICTION_LANDLINE_NUMBERS).toHaveLength(400);
    const rnd = mulberry32(3);
    const taken = new Set<string>();
    for (let i = 0; i < 495; i++) taken.add(pickFictionNumber(rnd, (n) => !taken.has(n))!);
    expect(taken.size).toBe(495);
    expect(pickFictionNumber(rnd, (n) => !taken.has(n))).toBeNull();
  });
});
