// Which backend runs a spec faster, estimated from the plan: the wasm backend speeds up the
// matrix products and convolutions it runs as SIMD kernels and nothing else (the other ops are the same
// JavaScript, over views of WebAssembly memory), so it wins when those products carry the
// step's work. The threshold comes from `npm run bench` (bench/results.md): wasm was faster on
// every workload there (iris, mnist_mlp, deep_tanh, mnist_cnn), with kernels ≥ 70% of the FLOPs.

import { selectKernels } from "./emit/wasm/kernels.ts";
import { layoutMemory } from "./emit/wasm/memory.ts";
import { arenaAllocations } from "./emit/module.ts";
import { flops } from "./explain.ts";
import type { TrainGraph } from "./ir/types.ts";
import type { BufferPlan } from "./plan.ts";

export const BACKENDS = ["js", "wasm"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Share of a step's FLOPs in wasm kernels above which wasm is chosen. */
const WASM_MIN_SHARE = 0.5;

export interface BackendChoice {
  readonly backend: BackendName;
  /** FLOPs per training step, and those in matrix products that run as wasm kernels. */
  readonly flops: number;
  readonly kernelFlops: number;
  readonly reason: string;
}

export function chooseBackend(graph: TrainGraph, plan: BufferPlan): BackendChoice {
  const kernels = selectKernels(graph, plan, layoutMemory(plan, arenaAllocations({ graph, plan })));
  const kernelNodes = new Set([...kernels.keys()].map((k) => graph.nodes[k]!));
  const total = flops(graph);
  const inKernels = flops(graph, (n) => kernelNodes.has(n));
  const share = total > 0 ? inKernels / total : 0;
  const pct = `${Math.round(100 * share)}%`;
  const backend = share >= WASM_MIN_SHARE ? "wasm" : "js";
  const reason =
    backend === "wasm"
      ? `${pct} of the FLOPs per step are matrix products and convolutions that run as wasm SIMD kernels (estimated from bench runs: wasm wins when that share is ≥ ${100 * WASM_MIN_SHARE}%)`
      : `only ${pct} of the FLOPs per step would run as wasm SIMD kernels (under ${100 * WASM_MIN_SHARE}%), so the JavaScript module is as fast and simpler`;
  return { backend, flops: total, kernelFlops: inKernels, reason };
}
