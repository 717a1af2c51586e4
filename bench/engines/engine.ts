// What the child process needs from an engine, and what a child reports. Every engine
// trains the same Workload: batch i is rows [i·batch, (i+1)·batch) of the workload's fixed sequence.

import type { WorkloadName } from "../workloads.ts";

export interface Engine {
  /** One training step (forward, loss, backward, update) on batch i of the sequence. */
  step(i: number): void;
  /** Loss (data + L2 penalty) of batch i with the current weights; no update. */
  lossOn(i: number): number;
  /** Outputs [rows × OUTPUT_SIZE] for `rows` rows of x, from the engine's own forward pass. */
  predict(x: Float32Array, rows: number): Float32Array;
  /** The current weights, flat, in the generated module's PARAMS layout. */
  params(): Float32Array;
  /** Back to the initial weights with zero momentum, so every timed repetition is the same work. */
  reset(): void;
}

export const ENGINES = ["netspec", "netspec-wasm", "netspec-2threads", "tfjs-cpu", "tfjs-wasm", "c"] as const;
export type EngineName = (typeof ENGINES)[number];

export interface ChildResult {
  readonly engine: EngineName;
  readonly workload: WorkloadName;
  /** Steps per second of each timed repetition. */
  readonly reps: number[];
  readonly stepsPerSecond: number;
  readonly flopsPerStep: number;
  /** Loss (data + penalty) on batch 0 after SEQUENCE steps. */
  readonly finalLoss: number;
  /** Test accuracy (classification) or test mse (regression) after SEQUENCE steps. */
  readonly testMetric: number;
  readonly metricName: "accuracy" | "mse";
  readonly checksum: string;
  readonly maxRssMB: number;
  /** CPU time ÷ wall time over the timed repetitions; < ~0.9: it waited for a core; > 1: GC threads. */
  readonly cpuShare: number;
  readonly note: string;
}
