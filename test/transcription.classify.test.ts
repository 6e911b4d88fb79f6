import { describe, expect, it } from "vitest";
import { rulesSchema, suggest } from "../src/transcription/classify.js";
import { DEFAULT_RULES } from "../src/transcription/default-rules.js";
import { evaluate } from "../bench/classify.js";

describe("suggested classification (default rules)", () => {
  it("suggests klagomål with the cue and the low scores as reasons, and the förvaltning from its keywords", () => {
    const s = suggest(DEFAULT_RULES, "Ingen har ringt tillbaka om snöröjningen på vår gata.", { q1: 1, q2: 2 });
    expect(s.classification).toBe("klagomal");
    expect(s.forvaltning).toBe("Samhällsbyggnadsförvaltningen");
    expect(s.reasons).toEqual([
      { kind: "cue", category: "klagomal", phrase: "ingen har ringt" },
      { kind: "score", category: "klagomal", mean: 1.5 },
      { kind: "forvaltning", forvaltning: "Samhällsbyggnadsförvaltningen", keyword: "snö" },
      { kind: "forvaltning", forvaltning: "Samhällsbyggnadsförvaltningen", keyword: "gata" },
    ]);
  });

  it("lets a longer cue use up a shorter one: 'inte nöjd' is no praise", () => {
    const s = suggest(DEFAULT_RULES, "Jag är inte nöjd med svaret.");
    expect(s.classification).toBe("klagomal");
    expect(s.points.berom).toBe(0);
  });

  it("matches cues at word starts, so inflected forms count and words inside others do not", () => {
    expect(suggest(DEFAULT_RULES, "Klagomålet gäller fakturan.").classification).toBe("klagomal");
    // "arg" must not fire inside "argument".
    expect(suggest(DEFAULT_RULES, "Ett bra argument.").points.klagomal).toBe(0);
  });

  it.each([
    ["Tack så mycket, hon var jättetrevlig.", null, "berom"],
    ["Ni borde ha öppet längre på kvällarna.", null, "forslag"],
    ["När får jag besked om skolplaceringen?", null, "fraga"],
    ["Nej, det var inget mer.", null, "inget"],
    ["Det var bara det.", { q1: 5, q2: 5 }, "berom"],
    ["Det var bara det.", { q1: 3, q2: 4 }, "inget"],
  ] as const)("%s (%o) → %s", (text, scores, expected) => {
    expect(suggest(DEFAULT_RULES, text, scores).classification).toBe(expected);
  });

  it("breaks a tie by the rules' order: a complaint with a suggestion is a klagomål", () => {
    const s = suggest(DEFAULT_RULES, "Det är dåligt skött, ni borde anställa fler.");
    expect(s.points).toMatchObject({ klagomal: 1, forslag: 1 });
    expect(s.classification).toBe("klagomal");
  });

  it("uses an organization's own rules", () => {
    const rules = rulesSchema.parse({
      ...DEFAULT_RULES,
      cues: { ...DEFAULT_RULES.cues, forslag: [...DEFAULT_RULES.cues.forslag, "sätt upp"] },
      forvaltningar: { Tekniska: ["skylt"] },
    });
    const s = suggest(rules, "Sätt upp skyltar om var återvinningen ligger.");
    expect(s).toMatchObject({ classification: "forslag", forvaltning: "Tekniska" });
  });

  it("the default rules keep their measured agreement on the labelled set (bench/RESULTS.md)", () => {
    const { rows, accuracy, perCategory } = evaluate();
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(accuracy).toBeGreaterThanOrEqual(0.83);
    for (const c of perCategory.filter((x) => x.category !== "inget")) expect(c.precision).toBeGreaterThanOrEqual(0.9);
  });
});
