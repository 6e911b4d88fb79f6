import { describe, expect, it } from "vitest";
import { normalCdf, studentTCdf, studentTQuantile } from "../src/results/distributions.js";
import { roundMetrics, roundTo } from "../src/results/rounding.js";
import {
  changeOfMean,
  computeMetrics,
  oneSampleTTest,
  respondentsOf,
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

describe("change against the same period last year", () => {
  // Reference intervals: scipy.stats.t.ppf(0.975, Welch df) × standard error, computed by hand from n, sum, sum of squares.
  it("gives the 95 % Welch interval of the difference and calls it significant only when it excludes 0", () => {
    const up = changeOfMean({ counts: [0, 0, 0, 10, 20] }, { counts: [2, 3, 5, 10, 10] }, 5);
    expect(up.difference).toBeCloseTo(0.9, 12);
    expect(up.ci95!.low).toBeCloseTo(0.4144044268324185, 6);
    expect(up.ci95!.high).toBeCloseTo(1.3855955731675822, 6);
    expect(up).toMatchObject({ significant: true, suppressed: false });

    const unclear = changeOfMean({ counts: [0, 0, 1, 2, 3] }, { counts: [1, 1, 1, 1, 1] }, 5);
    expect(unclear.ci95!.low).toBeCloseTo(-0.6000002347228919, 6);
    expect(unclear.ci95!.high).toBeCloseTo(3.266666901389558, 6);
    expect(unclear.significant).toBe(false);
  });

  it("takes the standard error over citizens when questions are pooled, so seven answers each are not seven people", () => {
    const pooled = { counts: [0, 0, 0, 70, 140] as Counts, respondents: 30 };
    const earlier = { counts: [14, 21, 35, 70, 70] as Counts, respondents: 30 };
    const r = changeOfMean(pooled, earlier, 5);
    expect(r.ci95!.low).toBeCloseTo(0.4214254553122246, 6);
    expect(r.ci95!.high).toBeCloseTo(1.3785745446877762, 6);
    // Counted as 210 independent answers the interval would be far too narrow.
    const naive = changeOfMean({ counts: pooled.counts }, { counts: earlier.counts }, 5);
    expect(naive.ci95!.high - naive.ci95!.low).toBeLessThan((r.ci95!.high - r.ci95!.low) / 2);
  });

  it("is suppressed below the minimum number of citizens on either side, and makes no claim without spread", () => {
    expect(changeOfMean({ counts: [0, 0, 0, 10, 20] }, { counts: [0, 0, 1, 2, 1] }, 5)).toEqual({
      difference: null,
      ci95: null,
      significant: false,
      suppressed: true,
    });
    expect(changeOfMean({ counts: [0, 0, 0, 0, 70], respondents: 4 }, { counts: [0, 0, 0, 0, 30] }, 5).suppressed).toBe(
      true,
    );
    expect(changeOfMean({ counts: [0, 0, 0, 0, 9] }, { counts: [0, 0, 0, 9, 0] }, 5)).toMatchObject({
      difference: 1,
      ci95: null,
      significant: false,
    });
  });
});

describe("citizens and answers", () => {
  it("counts citizens as the largest per-question n, and applies the minimum to citizens", () => {
    const perQuestion: Counts[] = [
      [0, 0, 1, 1, 1],
      [0, 0, 0, 2, 1],
      [0, 0, 0, 1, 1],
    ];
    expect(respondentsOf(perQuestion)).toBe(3);
    const m = computeMetrics([0, 0, 1, 4, 3], 5, respondentsOf(perQuestion));
    expect(m).toMatchObject({ n: 8, respondents: 3, tooFew: true });
    expect(computeMetrics([0, 0, 1, 4, 3], 5)).toMatchObject({ n: 8, respondents: 8, tooFew: false });
  });
});
