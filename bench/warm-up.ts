/**
 * How long a target is warmed up before its first run under the full load, in 1 s slices whose
 * throughput the report shows: `processSeconds` for the first target a process serves in a case,
 * `targetSeconds` for the others on a process that is already warm.
 *
 * A Node process compiles its hot code on background threads for a while after load starts, and
 * on 2 cores those threads compete with the load. Starting from a cold process, the bare proxy
 * (little code) reached its steady throughput after ~4–8 s of load, the gateway (far more code on
 * the request path) after ~8–10 s, climbing from ~0.3× to 1× meanwhile. A 3 s warm-up measured a
 * half-compiled gateway against a nearly warm bare proxy. A rule that stopped when the throughput
 * stopped climbing did no better: from one second to the next it moves by ±15% here (other
 * tenants of the host), enough to stop a climb early.
 */
export const WARMUP = { sliceSeconds: 1, processSeconds: 10, targetSeconds: 3 } as const;
