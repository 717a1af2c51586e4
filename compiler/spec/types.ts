// The normalized spec: what validation hands to the compiler and the runtime.
// Every default is filled in and every short form expanded, so later phases never
// look at YAML shapes. The zod schema (schema.ts) produces this via normalize.ts.

import type { InitRule } from "../ir/types.ts";
import type { DataSpec } from "../../runtime/data/spec.ts";
import type { OptimizerConfig } from "../../runtime/optimizers/index.ts";
import type { Expr } from "./graph/expr.ts";

/** An op reference with its attributes filled in, e.g. `{ op: "leaky_relu", attrs: { alpha: 0.01 } }`. */
export interface OpRef {
  readonly op: string;
  readonly attrs: Readonly<Record<string, number | string>>;
}

/** Weight initialisers: fixed rules, or fan-based rules resolved against a layer's shape. */
export type InitSpec =
  | InitRule
  | { kind: "glorot_uniform" | "glorot_normal" | "he_normal" | "he_uniform" };

/** The window of a conv2d (its kernel) or a pool (its size): Keras' semantics (ops/conv/geometry.ts). */
export interface WindowSpec {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: "valid" | "same";
}

export interface LayerSpec {
  readonly kind: "dense" | "maxout" | "dropout" | "batch_norm" | "conv2d" | "max_pool" | "avg_pool" | "flatten";
  /** dense, maxout: output units; conv2d: filters; dropout and batch_norm: their input's width; pools and flatten: 0. */
  readonly units: number;
  /** conv2d's kernel, a pool's size (absent for dense, maxout, flatten). */
  readonly window?: WindowSpec;
  /** maxout: affine pieces per unit (≥ 2); dense: 1. */
  readonly pieces: number;
  readonly activation: OpRef;
  readonly bias: boolean;
  readonly init: { readonly weights: InitSpec; readonly biases: InitSpec };
  /** Multiplier on the spec's regularizer for this layer's weights (0 = opted out). */
  readonly regularize: number;
  /** Multiplier for this layer's biases (0 unless the spec asks: `regularizer.biases: true`). */
  readonly regularizeBias: number;
  /** dropout: the probability of dropping each element, in [0, 1). */
  readonly p?: number;
  /** batch_norm: weight of the batch statistics in the running ones (PyTorch's convention, 0.1). */
  readonly momentum?: number;
  /** batch_norm: added to the variance before the square root (1e-5). */
  readonly eps?: number;
}

export type ScheduleSpec =
  | { readonly kind: "constant" }
  | { readonly kind: "step"; readonly every: number; readonly factor: number }
  | { readonly kind: "cosine"; readonly epochs: number; readonly min_lr: number };

/** The optimizer block: the update rule with its hyperparameters, and what every rule takes. */
export interface OptimizerSpec {
  /** e.g. `{ kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8 }` (runtime/optimizers/). */
  readonly rule: OptimizerConfig;
  readonly lr: number;
  readonly schedule: ScheduleSpec;
  /** Steps of linear warmup; 0 = none. */
  readonly warmup: number;
  /** Global gradient L2 norm to clip to; null = no clipping. */
  readonly clip_norm: number | null;
}

export interface TrainSpec {
  /** Rows per step; null when the spec has no loss and no train section: tensors then have no batch dimension. */
  readonly batch: number | null;
  readonly epochs: number;
  readonly shuffle: boolean;
  /** Stop once an epoch's mean training loss is at or below this (null = never). */
  readonly stop_below: number | null;
  readonly early_stopping: { readonly patience: number; readonly restore_best: boolean } | null;
}

/** The data section lives with the runtime, which loads it (runtime/data/spec.ts). */
export type { DataSpec };

/** A named tensor of a graph spec and its per-sample shape (`[]` is a scalar). */
export interface TensorDecl {
  readonly name: string;
  readonly shape: readonly number[];
}

/** The graph form: named inputs and parameters, and nodes defined by expressions. */
export interface GraphSpec {
  readonly inputs: readonly TensorDecl[];
  readonly params: readonly TensorDecl[];
  /** In an order where every node comes after the nodes it reads. */
  readonly nodes: readonly { readonly name: string; readonly expr: Expr; /** As written, for comments. */ readonly source: string }[];
  readonly output: string;
}

export interface Spec {
  readonly netspec: 1;
  readonly name: string;
  /** Features per sample of a layers: spec (its single input x); for a graph spec, its inputs' total size per sample. */
  readonly input: number;
  /** A layers: spec's per-sample input shape when it is an image `[H, W, C]` (absent: `[input]`). */
  readonly inputShape?: readonly number[];
  /** The layers: form (empty for a graph spec). */
  readonly layers: readonly LayerSpec[];
  /** The graph: form (null for a layers: spec). */
  readonly graph: GraphSpec | null;
  /** The training loss; null for a graph spec that computes a scalar output and its gradients. */
  readonly loss: OpRef | null;
  /** Penalty strengths (0 = off); elastic net when both are set; `biases`: penalize biases too (default false). */
  readonly regularizer: { readonly l1: number; readonly l2: number; readonly biases?: boolean };
  /** The spec-wide initialisers: graph parameters and layers called from a graph use these. */
  readonly init: { readonly weights: InitSpec; readonly biases: InitSpec };
  readonly seed: number;
  readonly optimizer: OptimizerSpec;
  readonly train: TrainSpec;
  /** What `netspec train` uses unless told otherwise; null when the spec names no data. */
  readonly data: DataSpec | null;
}
