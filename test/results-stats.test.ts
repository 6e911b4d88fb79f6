import { describe, expect, it } from "vitest";
import { normalCdf, studentTCdf, studentTQuantile } from "../src/results/distributions.js";
import { roundMetrics, roundTo } from "../src/results/rounding.js";
import {
  computeMetrics,
  oneSampleTTest,
  twoProportionZTest,
  welchTTest,
  wilsonInterval95,
  type Counts,
} from "../src/results/stats.js";
import { judgeTargets, targetsInForce, type TargetDef } from "../src/results/targets.js";

// Reference values from scipy.stats 1.17 (t.ppf, t.cdf, norm.cdf).
describe("distributions", () => {
  it.each([
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [5, 2.5705818356363146],
    [9, 2.262157162798205],
    [29, 2.045229642132703],
    [100, 1.9839715185235518],
    [1000, 1.9623390808264083],
  ])("t quantile 0.975 with %i df matches the table", (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 11);
  });

  it("t CDF handles fractional degrees of freedom as Welch's test needs", () => {
    expect(studentTCdf(-1.5, 7.3)).toBeCloseTo(0.08778154640154305, 12);
    expect(studentTCdf(2.1, 3.5)).toBeCloseTo(0.9432370873896009, 12);
  });

  it("normal CDF is accurate in the body and the tail", () => {
    expect(normalCdf(-1.2)).toBeCloseTo(0.11506967022170822, 13);
    expect(normalCdf(2.5)).toBeCloseTo(0.9937903346742238, 13);
    expect(normalCdf(-4) / 3.167124183311986e-5).toBeCloseTo(1, 10);
  });
});

describe("metrics from counts", () => {
  it("computes mean, shares, index and a t-interval from the distribution", () => {
    // 1×3, 3×4, 6×5: n=10, sum=45, mean=4.5, Σx²=9+48+150=207
    // s² = (207 − 45²/10)/9 = 4.5/9 = 0.5, se = √(0.05) = 0.223607, t(0.975, 9) = 2.262157…
    const m = computeMetrics([0, 0, 1, 3, 6], 10);
    expect(m.n).toBe(10);
    expect(m.mean).toBe(4.5);
    expect(m.satisfiedShare).toBe(0.9);
    expect(m.index).toBe(87.5);
    expect(m.distribution).toEqual({ "1": 0, "2": 0, "3": 1, "4": 3, "5": 6 });
    const half = 2.262157162798205 * Math.sqrt(0.5 / 10);
    expect(m.ci95.mean!.low).toBeCloseTo(4.5 - half, 12);
    expect(4.5 + half).toBeGreaterThan(5);
    expect(m.ci95.mean!.high).toBe(5); // clamped to the scale
    expect(m.ci95.index!.low).toBeCloseTo(((4.5 - half - 1) / 4) * 100, 10);
    expect(m.tooFew).toBe(false);
  });

  it("marks results below the minimum as too few, and gives no interval for one answer", () => {
    const m = computeMetrics([0, 0, 0, 0, 1], 10);
    expect(m.tooFew).toBe(true);
    expect(m.ci95.mean).toBeNull();
    expect(computeMetrics([0, 0, 0, 0, 0], 10)).toMatchObject({ n: 0, mean: null, index: null, satisfiedShare: null });
  });

  it("gives the Wilson interval for the satisfied share", () => {
    // p = 8/10, z² = 3.841459, centre = (0.8 + 0.192073)/1.384146 = 0.716741, half = 0.257730
    const w = wilsonInterval95(8, 10)!;
    expect(w.low).toBeCloseTo(0.4901624, 6);
    expect(w.high).toBeCloseTo(0.9433178, 6);
  });

  it("rounds half away from zero on the decimal value, not on binary noise", () => {
    expect(roundTo(173 / 40, 2)).toBe(4.33);
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-0.125, 2)).toBe(-0.13);
    expect(roundMetrics(computeMetrics([1, 0, 0, 1, 1], 1)).mean).toBe(3.33);
  });
});

describe("targets", () => {
  const targets: TargetDef[] = [
    { questionKey: "bemotande", metric: "mean", threshold: 4.0, validFrom: "2017-01-01" },
    { questionKey: "bemotande", metric: "mean", threshold: 4.3, validFrom: "2018-06-01" },
    { questionKey: "bemotande", metric: "satisfiedShare", threshold: 0.75, validFrom: "2016-01-01" },
    { questionKey: "kunskap", metric: "mean", threshold: 4.0, validFrom: "2016-01-01" },
  ];

  it("uses the target with the latest validFrom on or before the period's last day", () => {
    expect(targetsInForce(targets, "bemotande", "2018-05-31").map((t) => t.threshold)).toEqual([4.0, 0.75]);
    expect(targetsInForce(targets, "bemotande", "2018-08-31").map((t) => t.threshold)).toEqual([4.3, 0.75]);
    expect(targetsInForce(targets, "helhet", "2018-08-31")).toEqual([]);
  });

  it("is met only when every target in force is met, and not judged on too few answers", () => {
    const inForce = targetsInForce(targets, "bemotande", "2018-08-31");
    expect(judgeTargets(computeMetrics([0, 0, 1, 5, 6], 10), inForce).targetMet).toBe(true); // 4.417, 0.917
    expect(judgeTargets(computeMetrics([0, 0, 4, 4, 4], 10), inForce).targetMet).toBe(false); // 4.0
    expect(judgeTargets(computeMetrics([0, 0, 0, 0, 3], 10), inForce).targetMet).toBeNull();
    expect(judgeTargets(computeMetrics([0, 0, 0, 0, 30], 10), []).targetMet).toBeNull();
  });
});

describe("significance tests", () => {
  const a: Counts = [3, 4, 6, 8, 9]; // mean 3.47
  const b: Counts = [1, 2, 5, 30, 62]; // mean 4.5
  it("Welch's test agrees with scipy's ttest_ind(equal_var=False)", () => {
    const r = welchTTest(a, b)!;
    expect(r.t).toBeCloseTo(-3.7881799810553716, 12);
    expect(r.df).toBeCloseTo(35.03319676282309, 10);
    expect(r.pLess).toBeCloseTo(0.0002864405658477939, 12);
  });
  it("one-sample and two-proportion tests give one-sided p-values", () => {
    expect(oneSampleTTest(a, 4.0)!.pLess).toBeCloseTo(0.032457918828359626, 12);
    const z = twoProportionZTest(17, 30, 92, 100)!;
    expect(z.z).toBeLessThan(-4);
    expect(z.pLess).toBeLessThan(1e-4);
  });
});
