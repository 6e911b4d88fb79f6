import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_OTHER_ORGANIZATIONS, poolBenchmark, type OtherOrgCounts } from "../src/results/benchmark.js";
import { poolExchange, type PeerMoments } from "../src/exchange/pool.js";
import type { Counts } from "../src/results/stats.js";

const org = (id: string, questionKey: string, counts: Counts): OtherOrgCounts => ({
  organizationId: id,
  questionKey,
  counts,
});
const total = (c: Counts) => c.reduce((a, b) => a + b, 0);

describe("other municipalities are k-anonymous", () => {
  it("shows nothing with two qualifying organizations, and the pool of all three with three", () => {
    const a = org("a", "bemotande", [0, 0, 10, 40, 50]);
    const b = org("b", "bemotande", [0, 5, 15, 40, 40]);
    const c = org("c", "bemotande", [10, 10, 20, 30, 30]);
    expect(poolBenchmark([a, b], ["bemotande"], 100)).toBeNull();
    expect(poolBenchmark([a, b, c], ["bemotande"], 100)).toEqual({
      counts: [10, 15, 45, 110, 120],
      organizations: 3,
      respondents: 300,
    });
  });

  it("an organization below the minimum number of citizens is left out, and can tip the pool below three", () => {
    const big = ["a", "b", "c"].map((id) => org(id, "kunskap", [0, 0, 20, 40, 40]));
    const small = org("d", "kunskap", [50, 0, 0, 0, 49]);
    expect(poolBenchmark([...big, small], ["kunskap"], 100)?.organizations).toBe(3);
    expect(poolBenchmark([...big, small], ["kunskap"], 100)?.counts).toEqual([0, 0, 60, 120, 120]);
    expect(poolBenchmark([big[0], big[1], small], ["kunskap"], 100)).toBeNull();
  });

  it("the overall NKI counts citizens, not answers: 7 questions × 20 citizens is 20, not 140", () => {
    const keys = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
    const seven = (id: string, n: number) => keys.map((k) => org(id, k, [0, 0, 0, 0, n]));
    const others = [...seven("a", 20), ...seven("b", 100), ...seven("c", 100)];
    expect(poolBenchmark(others, keys, 100)).toBeNull();
    expect(poolBenchmark(others, keys, 20)).toMatchObject({ organizations: 3, respondents: 220 });
  });

  it("property: whatever the data, a shown pool has at least three organizations each with at least the minimum", () => {
    const countsArb = fc.tuple(fc.nat(80), fc.nat(80), fc.nat(80), fc.nat(80), fc.nat(80)) as fc.Arbitrary<Counts>;
    fc.assert(
      fc.property(
        // One row per organization and question, as the rollups give them.
        fc.uniqueArray(
          fc.record({ id: fc.constantFrom("a", "b", "c", "d", "e"), q: fc.constantFrom("x", "y"), c: countsArb }),
          { maxLength: 10, selector: (r) => `${r.id}|${r.q}` },
        ),
        fc.integer({ min: 1, max: 300 }),
        (rows, min) => {
          const others = rows.map((r) => org(r.id, r.q, r.c));
          const pooled = poolBenchmark(others, ["x"], min);
          const qualifying = new Map<string, number>();
          for (const o of others.filter((o) => o.questionKey === "x"))
            qualifying.set(o.organizationId, (qualifying.get(o.organizationId) ?? 0) + total(o.counts));
          const ok = [...qualifying.values()].filter((n) => n >= min).length;
          if (ok < MIN_OTHER_ORGANIZATIONS) expect(pooled).toBeNull();
          else expect(pooled?.organizations).toBe(ok);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the exchange pools the same way, and never with a municipality that asked other questions", () => {
    const m = (peerId: string, n: number, flowKeys = "bemotande,kunskap"): PeerMoments => ({
      peerId,
      municipality: peerId,
      flowKeys,
      questionKey: "bemotande",
      n,
      sum: 4 * n,
      sumSq: 16 * n,
      top2: n,
    });
    const opts = { flowKeys: "bemotande,kunskap", questionKeys: ["bemotande"], minRespondents: 100 };
    expect(poolExchange([m("a", 100), m("b", 100), m("c", 99)], opts)).toBeNull();
    expect(poolExchange([m("a", 100), m("b", 100), m("c", 500, "bemotande")], opts)).toBeNull();
    expect(poolExchange([m("a", 100), m("b", 100), m("c", 100)], opts)).toMatchObject({
      municipalities: 3,
      n: 300,
      mean: 4,
      satisfiedShare: 1,
    });
  });
});
