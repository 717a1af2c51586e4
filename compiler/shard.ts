// Data-parallel training (`train --threads N`): what a shard is, and when sharding is exact.
// Each of N threads runs the spec compiled for batch/N rows on its slice of the batch; the
// runtime (runtime/threads/) averages (mean loss) or sums (sum loss) their gradients in a
// fixed order. That equals the full-batch gradient only if rows are independent until the
// loss: no op may mix rows (batch statistics), keep state, or behave differently in training
// (dropout's masks would come from other streams). Pure functions: the CLI does the I/O.

import type { Planned } from "./compile.ts";
import { shapeSize } from "./ir/types.ts";
import { flops } from "./explain.ts";
import { opDef } from "./ops/registry.ts";
import type { Spec } from "./spec/types.ts";

/** The shard modules' specs: the lead shard carries the regularizer; for a summed loss the
 *  others must not (it would be counted N times), so they get a penalty-free copy. */
export interface ShardSpecs {
  readonly shardBatch: number;
  readonly lead: Spec;
  /** The spec of shards 1…N−1: the lead's own for a mean loss, penalty-free for a sum. */
  readonly rest: Spec;
  readonly sameModule: boolean;
}

/** Why this spec cannot be split into `threads` shards without changing its math, or null. */
export function shardRefusal(spec: Spec, planned: Planned, threads: number): string | null {
  const batch = spec.train.batch;
  if (spec.loss === null || batch === null) return "the spec has no loss, so there is no batch to split";
  if (batch % threads !== 0) {
    return `train.batch ${batch} is not divisible by ${threads} threads: each thread needs the same number of rows ` +
      `(try --threads ${largestDivisor(batch, threads)}, or a batch that ${threads} divides)`;
  }
  const g = planned.graph;
  if (g.state.length > 0) {
    const owners = [...new Set(g.state.map((s) => g.values[s.value]!.name))].join(", ");
    return `the spec keeps state across steps (${owners}): every thread would update its own copy`;
  }
  for (const n of g.nodes) {
    const def = opDef(n.op);
    if (def.modal) return `${n.path} (${n.op}) behaves differently in training, so its shards would not add up to one batch`;
    if (n.phase !== "forward" || n.path === "loss" || n.path === "regularizer") continue;
    const rowsIn = n.inputs.some((i) => g.values[i]!.batched);
    if (rowsIn && !g.values[n.output]!.batched) {
      return `${n.path} (${n.op}) combines the rows of a batch before the loss, so a shard's result depends on the other shards' rows`;
    }
  }
  return null;
}

const largestDivisor = (batch: number, below: number): number => {
  for (let n = below - 1; n > 1; n--) if (batch % n === 0) return n;
  return 1;
};

/** The specs the shards are compiled from (call after shardRefusal returned null). */
export function shardSpecs(spec: Spec, threads: number, lossRows: "mean" | "sum"): ShardSpecs {
  const shardBatch = spec.train.batch! / threads;
  const lead: Spec = { ...spec, train: { ...spec.train, batch: shardBatch } };
  if (lossRows === "mean") return { shardBatch, lead, rest: lead, sameModule: true };
  const rest: Spec = { ...lead, regularizer: { ...spec.regularizer, l1: 0, l2: 0 } };
  return { shardBatch, lead, rest, sameModule: false };
}

/**
 * Fewest FLOPs per shard and step for which a thread pays for itself, from
 * `bench/threads-threshold.ts` on this 2-core machine: a sharded step adds an Atomics round
 * trip (main → worker → main: median 9.4 µs, 90th percentile 13.8 µs) and ~5–7 µs of CPU
 * (copying the params into each shard, the gradients out, the reduction), ~15 µs on the
 * critical path. The kernels run ~2–2.4 GFLOP/s, so a 100 kFLOP shard is ~45 µs of work: two
 * of them take ~90 µs on one thread and ~60 µs on two (1.5×); below that the gain shrinks to
 * nothing, and turns into a loss when the worker has to wait for a core. iris (20 kFLOP, a
 * ~15 µs step) stays on one thread; deep_tanh (2 MFLOP) and mnist_mlp (26 MFLOP) use two.
 */
export const MIN_SHARD_FLOPS = 100_000;

export interface ThreadChoice {
  readonly threads: number;
  readonly why: string;
}

/**
 * The wasm backend's steps are 3–10× shorter than the JS module's, so a shard's work shrinks
 * while what a thread adds does not: the parameters copied in and the gradients copied out
 * through the shared buffer and combined, ~5 ns a parameter per step. Measured side by side
 * (1 vs 2 threads, wasm): mnist_mlp at batch 32 (129 FLOP per parameter per step) 0.48×, at
 * batch 128 (515) 1.30×, at 256 (1,031) 1.63×; deep_tanh at batch 256 (1,433; 19 MFLOP) 0.99×;
 * mnist_cnn at batch 8 (2,328; 14 MFLOP) 1.37× and at 32 (9,313; 56 MFLOP) 1.48× (1.9× both,
 * before the pools ran in wasm too and the step was twice as long). So wasm
 * shards by default only past both bounds below (conservative: mnist_mlp at batch 256 would
 * have gained too).
 */
export const WASM_MIN_FLOPS_PER_PARAM = 2_000;
export const WASM_MIN_SHARD_FLOPS = 5_000_000;

/** The default thread count: the most threads (≤ cores) that divide the batch and keep
 *  every shard above MIN_SHARD_FLOPS (on wasm, also above the two bounds above); 1 when the
 *  spec cannot be sharded. */
export function chooseThreads(spec: Spec, planned: Planned, cores: number, backend: "js" | "wasm" = "js"): ThreadChoice {
  const total = flops(planned.graph);
  const mega = (x: number) => (x < 1e6 ? `${Math.round(x / 1e3)} kFLOP` : `${(x / 1e6).toFixed(1)} MFLOP`);
  if (cores < 2) return { threads: 1, why: `this machine has ${cores} core` };
  const params = planned.graph.params.reduce((n, p) => n + shapeSize(planned.graph.values[p.value]!.shape), 0);
  const perParam = Math.round(total / Math.max(params, 1));
  // What a thread needs on this backend, and whether a thread count n has it.
  const [need, enough] = backend === "wasm"
    ? [`${mega(WASM_MIN_SHARD_FLOPS)} a thread and ${WASM_MIN_FLOPS_PER_PARAM} FLOP per parameter on wasm, whose parameters and gradients are copied every step`,
      (n: number) => total / n >= WASM_MIN_SHARD_FLOPS && perParam >= WASM_MIN_FLOPS_PER_PARAM]
    : [`${mega(MIN_SHARD_FLOPS)} a thread`, (n: number) => total / n >= MIN_SHARD_FLOPS];
  for (let n = cores; n >= 2; n--) {
    if (shardRefusal(spec, planned, n) !== null) continue;
    if (enough(n)) return { threads: n, why: `${mega(total)}/step over ${n} threads is ${mega(total / n)} a thread, ${perParam} FLOP per parameter (a thread pays off from ${need}), ${cores} cores` };
  }
  const refusal = shardRefusal(spec, planned, 2);
  if (refusal && !/not divisible/.test(refusal)) return { threads: 1, why: refusal };
  if (!enough(2)) return { threads: 1, why: `${mega(total)}/step, ${perParam} FLOP per parameter: too little work to split (a thread pays off from ${need})` };
  return { threads: 1, why: `train.batch ${spec.train.batch} is not divisible by any thread count from 2 to ${cores} (the cores here)` };
}
