import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BalanceStrategy } from "../config/schema.ts";
import { orderTargets, stickyUnit, weightedPick, type DeploymentFacts } from "./order-targets.ts";
import { deploymentKey, type Target } from "./plan.ts";
import { seededRandom } from "./random.ts";

const UNKNOWN: DeploymentFacts = { ttftP50Ms: null, latencyP95Ms: null, costPer1kMicroUsd: null, listPriceMicroUsd: null };

function deployment(modelId: string, provider: string, strategy: BalanceStrategy, weight = 1): Target {
  return { modelId, provider, upstreamModel: modelId, balance: { strategy, weight } };
}

function single(modelId: string, provider = "p"): Target {
  return { modelId, provider, upstreamModel: modelId };
}

/** Facts by `<provider>/<upstream>`, unknown for the rest. */
function factsFrom(table: Record<string, Partial<DeploymentFacts>>): (t: Target) => DeploymentFacts {
  return (t) => ({ ...UNKNOWN, ...table[deploymentKey(t)] });
}

const keys = (targets: readonly Target[]): string[] => targets.map(deploymentKey);

describe("orderTargets: weighted", () => {
  const cases = [
    { name: "3:1", weights: [3, 1] },
    { name: "1:1", weights: [1, 1] },
    { name: "1:2:7", weights: [1, 2, 7] },
    { name: "0.5:1.5 (fractional)", weights: [0.5, 1.5] },
  ];
  for (const c of cases) {
    it(`first picks follow the weights (${c.name}) over many rolls`, () => {
      const group = c.weights.map((w, i) => deployment("m", `p${i}`, "weighted", w));
      const random = seededRandom(42);
      const counts = new Map<string, number>();
      const rolls = 20_000;
      for (let i = 0; i < rolls; i += 1) {
        const first = orderTargets({ targets: group, facts: () => UNKNOWN, random }).targets[0] as Target;
        counts.set(first.provider, (counts.get(first.provider) ?? 0) + 1);
      }
      const total = c.weights.reduce((a, b) => a + b, 0);
      c.weights.forEach((w, i) => {
        const share = (counts.get(`p${i}`) ?? 0) / rolls;
        assert.ok(Math.abs(share - w / total) < 0.02, `p${i}: share ${share}, expected ${w / total}`);
      });
    });
  }

  it("the deployments not picked stay right behind in config order", () => {
    const group = [deployment("m", "a", "weighted"), deployment("m", "b", "weighted"), deployment("m", "c", "weighted")];
    const random = seededRandom(7);
    for (let i = 0; i < 200; i += 1) {
      const { targets, demoted } = orderTargets({ targets: group, facts: () => UNKNOWN, random });
      assert.equal(targets.length, 3);
      assert.deepEqual(demoted, []);
      const rest = targets.slice(1).map((t) => t.provider);
      assert.deepEqual(rest, ["a", "b", "c"].filter((p) => p !== targets[0]?.provider));
    }
  });

  it("weightedPick at the edges of the roll", () => {
    const group = [deployment("m", "a", "weighted", 3), deployment("m", "b", "weighted", 1)];
    assert.equal(weightedPick(group, 0).provider, "a");
    assert.equal(weightedPick(group, 0.74).provider, "a");
    assert.equal(weightedPick(group, 0.75).provider, "b");
    assert.equal(weightedPick(group, 0.999_999).provider, "b");
  });

  it("a sticky key always gives the same first deployment, whatever the random source", () => {
    const group = [deployment("m", "a", "weighted", 3), deployment("m", "b", "weighted", 1)];
    for (const key of ["task-1", "task-2", "user-42"]) {
      const firsts = new Set<string>();
      for (let seed = 0; seed < 50; seed += 1) {
        firsts.add((orderTargets({ targets: group, facts: () => UNKNOWN, random: seededRandom(seed), stickyKey: key }).targets[0] as Target).provider);
      }
      assert.equal(firsts.size, 1, `key ${key} picked ${[...firsts].join(", ")}`);
    }
  });

  it("different sticky keys spread by the weights", () => {
    const group = [deployment("m", "a", "weighted", 3), deployment("m", "b", "weighted", 1)];
    let a = 0;
    const n = 4000;
    for (let i = 0; i < n; i += 1) {
      const first = orderTargets({ targets: group, facts: () => UNKNOWN, random: () => 0, stickyKey: `task-${i}` }).targets[0] as Target;
      if (first.provider === "a") a += 1;
    }
    assert.ok(Math.abs(a / n - 0.75) < 0.04, `share on a: ${a / n}`);
  });

  it("keys that differ only in their last character spread too (user-0 … user-9)", () => {
    for (const prefix of ["user-", "task-10", "spread-"]) {
      const units = Array.from({ length: 10 }, (_, i) => stickyUnit(`${prefix}${i}`));
      // Ten uniform draws all in one half: 2 × 0.5^10 ≈ 0.2%; FNV-1a without a finalizer put them within 0.1 of each other.
      assert.ok(units.some((u) => u < 0.5) && units.some((u) => u >= 0.5), `${prefix}: ${units.map((u) => u.toFixed(3)).join(" ")}`);
      assert.ok(Math.max(...units) - Math.min(...units) > 0.5, `${prefix}: ${units.map((u) => u.toFixed(3)).join(" ")}`);
    }
  });

  it("stickyUnit is in [0, 1) and fixed by the key", () => {
    for (const key of ["", "x", "task-1", "a much longer key with ünïcödé ✓"]) {
      const u = stickyUnit(key);
      assert.ok(u >= 0 && u < 1, `${key}: ${u}`);
      assert.equal(stickyUnit(key), u);
    }
    assert.notEqual(stickyUnit("task-1"), stickyUnit("task-2"));
  });

  it("a null or empty sticky key uses the random source", () => {
    const group = [deployment("m", "a", "weighted"), deployment("m", "b", "weighted")];
    for (const stickyKey of [null, undefined, ""]) {
      const low = orderTargets({ targets: group, facts: () => UNKNOWN, random: () => 0.1, stickyKey }).targets[0] as Target;
      const high = orderTargets({ targets: group, facts: () => UNKNOWN, random: () => 0.9, stickyKey }).targets[0] as Target;
      assert.deepEqual([low.provider, high.provider], ["a", "b"]);
    }
  });
});

describe("orderTargets: least_latency and lowest_cost", () => {
  const cases: { name: string; strategy: BalanceStrategy; facts: Record<string, Partial<DeploymentFacts>>; expected: string[] }[] = [
    {
      name: "least_latency: by ttft p50, fastest first",
      strategy: "least_latency",
      facts: { "a/m": { ttftP50Ms: 300 }, "b/m": { ttftP50Ms: 100 }, "c/m": { ttftP50Ms: 200 } },
      expected: ["b/m", "c/m", "a/m"],
    },
    {
      name: "least_latency: an unmeasured deployment goes first",
      strategy: "least_latency",
      facts: { "a/m": { ttftP50Ms: 300 }, "b/m": { ttftP50Ms: 100 } },
      expected: ["c/m", "b/m", "a/m"],
    },
    {
      name: "least_latency: several unmeasured keep their config order, ahead of the measured",
      strategy: "least_latency",
      facts: { "a/m": { ttftP50Ms: 5 } },
      expected: ["b/m", "c/m", "a/m"],
    },
    {
      name: "least_latency: ties keep config order",
      strategy: "least_latency",
      facts: { "a/m": { ttftP50Ms: 100 }, "b/m": { ttftP50Ms: 100 }, "c/m": { ttftP50Ms: 50 } },
      expected: ["c/m", "a/m", "b/m"],
    },
    {
      name: "least_latency: a measured 0 ms is still after an unmeasured one",
      strategy: "least_latency",
      facts: { "a/m": { ttftP50Ms: 0 }, "c/m": { ttftP50Ms: 10 } },
      expected: ["b/m", "a/m", "c/m"],
    },
    {
      name: "lowest_cost: by list price, cheapest first",
      strategy: "lowest_cost",
      facts: { "a/m": { listPriceMicroUsd: 12_000_000 }, "b/m": { listPriceMicroUsd: 3_000_000 }, "c/m": { listPriceMicroUsd: 6_000_000 } },
      expected: ["b/m", "c/m", "a/m"],
    },
    {
      name: "lowest_cost: an unknown price goes last",
      strategy: "lowest_cost",
      facts: { "b/m": { listPriceMicroUsd: 9_000_000 }, "c/m": { listPriceMicroUsd: 1_000_000 } },
      expected: ["c/m", "b/m", "a/m"],
    },
    {
      name: "lowest_cost: all unknown keep config order",
      strategy: "lowest_cost",
      facts: {},
      expected: ["a/m", "b/m", "c/m"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const group = ["a", "b", "c"].map((p) => deployment("m", p, c.strategy));
      const { targets } = orderTargets({ targets: group, facts: factsFrom(c.facts), random: seededRandom(1) });
      assert.deepEqual(keys(targets), c.expected);
    });
  }
});

describe("orderTargets: groups", () => {
  it("only one model's deployments are reordered; other chain members keep their places", () => {
    const chain = [
      single("before", "x"),
      deployment("m", "a", "least_latency"),
      deployment("m", "b", "least_latency"),
      single("middle", "y"),
      deployment("n", "c", "lowest_cost"),
      deployment("n", "d", "lowest_cost"),
      single("after", "z"),
    ];
    const facts = factsFrom({
      "a/m": { ttftP50Ms: 500 },
      "b/m": { ttftP50Ms: 50 },
      "c/n": { listPriceMicroUsd: 10 },
      "d/n": { listPriceMicroUsd: 1 },
    });
    const { targets } = orderTargets({ targets: chain, facts, random: seededRandom(3) });
    assert.deepEqual(keys(targets), ["x/before", "b/m", "a/m", "y/middle", "d/n", "c/n", "z/after"]);
  });

  it("a chain without balanced targets comes back in its order", () => {
    const chain = [single("a"), single("b"), single("c")];
    const { targets, demoted } = orderTargets({ targets: chain, facts: () => UNKNOWN, random: seededRandom(1) });
    assert.deepEqual(targets, chain);
    assert.deepEqual(demoted, []);
  });

  it("two adjacent models with deployments are ordered apart", () => {
    const chain = [deployment("m", "a", "lowest_cost"), deployment("m", "b", "lowest_cost"), deployment("n", "a", "lowest_cost"), deployment("n", "b", "lowest_cost")];
    const facts = factsFrom({ "a/m": { listPriceMicroUsd: 5 }, "b/m": { listPriceMicroUsd: 1 }, "a/n": { listPriceMicroUsd: 1 }, "b/n": { listPriceMicroUsd: 5 } });
    const { targets } = orderTargets({ targets: chain, facts, random: seededRandom(1) });
    assert.deepEqual(keys(targets), ["b/m", "a/m", "a/n", "b/n"]);
  });

  it("weighted picks happen inside each group only", () => {
    const chain = [single("first", "x"), deployment("m", "a", "weighted", 1), deployment("m", "b", "weighted", 1), single("last", "z")];
    const random = seededRandom(9);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i += 1) {
      const { targets } = orderTargets({ targets: chain, facts: () => UNKNOWN, random });
      assert.equal(deploymentKey(targets[0] as Target), "x/first");
      assert.equal(deploymentKey(targets[3] as Target), "z/last");
      seen.add(deploymentKey(targets[1] as Target));
    }
    assert.deepEqual([...seen].sort(), ["a/m", "b/m"]);
  });

  it("the input chain is not mutated", () => {
    const chain = [deployment("m", "a", "least_latency"), deployment("m", "b", "least_latency")];
    const copy = [...chain];
    orderTargets({ targets: chain, facts: factsFrom({ "a/m": { ttftP50Ms: 9 }, "b/m": { ttftP50Ms: 1 } }), random: seededRandom(1), maxLatencyMs: 1 });
    assert.deepEqual(chain, copy);
  });
});

describe("orderTargets: guards", () => {
  const chain = [single("a"), single("b"), single("c"), single("d")];

  it("max_latency_ms demotes slow deployments to the end, keeping their relative order, with reasons", () => {
    const facts = factsFrom({ "p/a": { latencyP95Ms: 5000.4 }, "p/b": { latencyP95Ms: 100 }, "p/c": { latencyP95Ms: 9000 } });
    const { targets, demoted } = orderTargets({ targets: chain, facts, random: seededRandom(1), maxLatencyMs: 1000 });
    assert.deepEqual(keys(targets), ["p/b", "p/d", "p/a", "p/c"]);
    assert.deepEqual(keys(demoted.map((d) => d.target)), ["p/a", "p/c"]);
    assert.equal(demoted[0]?.reason, "recent p95 latency 5000 ms is above max_latency_ms 1000");
    assert.equal(demoted[1]?.reason, "recent p95 latency 9000 ms is above max_latency_ms 1000");
  });

  it("a latency exactly at the limit is not demoted; unknown latency never is", () => {
    const facts = factsFrom({ "p/a": { latencyP95Ms: 1000 } });
    const { targets, demoted } = orderTargets({ targets: chain, facts, random: seededRandom(1), maxLatencyMs: 1000 });
    assert.deepEqual(targets, chain);
    assert.deepEqual(demoted, []);
  });

  it("max cost per 1k demotes expensive deployments, with the amounts in USD", () => {
    const facts = factsFrom({ "p/b": { costPer1kMicroUsd: 2500 }, "p/d": { costPer1kMicroUsd: 999 } });
    const { targets, demoted } = orderTargets({ targets: chain, facts, random: seededRandom(1), maxCostPer1kMicroUsd: 1000 });
    assert.deepEqual(keys(targets), ["p/a", "p/c", "p/d", "p/b"]);
    assert.equal(demoted.length, 1);
    assert.equal(demoted[0]?.reason, "recent cost $0.002500 per 1k tokens is above max_cost_per_1k_tokens $0.001000");
  });

  it("with both guards a deployment breaking both is demoted once, for latency", () => {
    const facts = factsFrom({ "p/a": { latencyP95Ms: 2000, costPer1kMicroUsd: 5000 }, "p/c": { costPer1kMicroUsd: 5000 } });
    const { targets, demoted } = orderTargets({ targets: chain, facts, random: seededRandom(1), maxLatencyMs: 1000, maxCostPer1kMicroUsd: 1000 });
    assert.deepEqual(keys(targets), ["p/b", "p/d", "p/a", "p/c"]);
    assert.equal(demoted.length, 2);
    assert.match(demoted[0]?.reason ?? "", /latency/);
    assert.match(demoted[1]?.reason ?? "", /cost/);
  });

  it("every deployment breaking a guard: all demoted, order kept, nothing removed", () => {
    const facts = (): DeploymentFacts => ({ ...UNKNOWN, latencyP95Ms: 10_000 });
    const { targets, demoted } = orderTargets({ targets: chain, facts, random: seededRandom(1), maxLatencyMs: 1 });
    assert.deepEqual(targets, chain);
    assert.equal(demoted.length, 4);
  });

  it("guards apply after balancing: a picked deployment that is too slow still moves to the end", () => {
    const group = [deployment("m", "a", "least_latency"), deployment("m", "b", "least_latency"), single("other", "x")];
    const facts = factsFrom({ "a/m": { ttftP50Ms: 10, latencyP95Ms: 9000 }, "b/m": { ttftP50Ms: 20, latencyP95Ms: 100 } });
    const { targets, demoted } = orderTargets({ targets: group, facts, random: seededRandom(1), maxLatencyMs: 1000 });
    assert.deepEqual(keys(targets), ["b/m", "x/other", "a/m"]);
    assert.deepEqual(keys(demoted.map((d) => d.target)), ["a/m"]);
  });
});
