import { describe, expect, it } from "vitest";
import { parseTargetInput, readDecimal } from "../src/results/target-input.js";
import { judgeTargets, overallPosition, type TargetDef } from "../src/results/targets.js";
import { computeMetrics } from "../src/results/stats.js";
import { QUESTION_ORDER } from "../src/web/questions.js";

const parse = (over: Partial<Parameters<typeof parseTargetInput>[0]>) =>
  parseTargetInput(
    { questionKey: "bemotande", metric: "mean", lower: "4,3", upper: "", validFrom: "2026-01-01", ...over },
    QUESTION_ORDER,
  );

describe("targets typed as people type them", () => {
  it("reads a decimal comma or point, spaces and a percent sign", () => {
    expect(readDecimal("4,2")).toBe(4.2);
    expect(readDecimal(" 4.2 ")).toBe(4.2);
    expect(readDecimal("80 %")).toBe(80);
    expect(readDecimal("4,2,1")).toBeNull();
    expect(readDecimal("fyra")).toBeNull();
  });

  it('takes "4,2" as 4.2 and refuses "42" for a mean in Swedish, naming the field and suggesting 4,2', () => {
    expect(parse({ lower: "4,2" })).toMatchObject({ ok: true, value: { threshold: 4.2, upper: null } });
    const r = parse({ lower: "42" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { field: "lower", message: expect.stringMatching(/^Lägsta värde: .*1–5.*Menade du 4,2\?/) },
    ]);
  });

  it("reads shares in percent: 80 is 0.80, and 0,8 is refused with the question whether 80 % was meant", () => {
    expect(parse({ metric: "satisfiedShare", lower: "80" })).toMatchObject({ ok: true, value: { threshold: 0.8 } });
    expect(parse({ metric: "satisfiedShare", lower: "77,5 %" })).toMatchObject({
      ok: true,
      value: { threshold: 0.775 },
    });
    const r = parse({ metric: "satisfiedShare", lower: "0,8" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].message).toMatch(/procent.*Menade du 80 %/);
    expect(parse({ metric: "satisfiedShare", lower: "120" }).ok).toBe(false);
  });

  it("takes a band whose upper bound lies above the lower one", () => {
    expect(parse({ metric: "satisfiedShare", questionKey: "overall", lower: "75", upper: "80" })).toMatchObject({
      ok: true,
      value: { threshold: 0.75, upper: 0.8 },
    });
    const r = parse({ metric: "satisfiedShare", lower: "80", upper: "75" });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toEqual([
        { field: "upper", message: expect.stringMatching(/^Högsta värde: ska vara större/) },
      ]);
  });

  it("names every bad field: unknown question, metric and date", () => {
    const r = parse({ questionKey: "nope", metric: "median", validFrom: "2026-02-30" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual(["questionKey", "metric", "validFrom"]);
  });
});

describe("band targets: under, within, above", () => {
  const band: TargetDef[] = [
    { questionKey: "overall", metric: "satisfiedShare", threshold: 0.75, upper: 0.8, validFrom: "2026-01-01" },
  ];
  const judge = (counts: [number, number, number, number, number]) => judgeTargets(computeMetrics(counts, 10), band);

  it("is under below the lower bound (not met), within inside, above over the upper bound (still met)", () => {
    const under = judge([5, 5, 5, 10, 10]); // 20/35 = 57 %
    expect(under).toMatchObject({ targetMet: false, targets: [{ position: "under", upper: 0.8 }] });
    const within = judge([0, 2, 3, 10, 10]); // 20/25 = 80 %
    expect(within).toMatchObject({ targetMet: true, targets: [{ position: "within" }] });
    const above = judge([0, 0, 1, 10, 10]); // 20/21 = 95 %
    expect(above).toMatchObject({ targetMet: true, targets: [{ position: "above" }] });
    expect(overallPosition(above.targets)).toBe("above");
    expect(judge([0, 0, 0, 1, 1]).targets[0].position).toBeNull(); // too few
  });
});
