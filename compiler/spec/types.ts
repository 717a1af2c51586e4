// The normalized spec: what validation hands to the compiler and the runtime.
// Every default is filled in and every short form expanded, so later phases never
// look at YAML shapes. The zod schema (schema.ts) produces this via normalize.ts.

import type { InitRule } from "../ir/types.ts";

/** An op reference with its attributes filled in, e.g. `{ op: "leaky_relu", attrs: { alpha: 0.01 } }`. */
export interface OpRef {
  readonly op: string;
  readonly attrs: Readonly<Record<string, number | string>>;
}

/** Weight initialisers: fixed rules, or fan-based rules resolved against a layer's shape. */
export type InitSpec =
  | InitRule
  | { kind: "glorot_uniform" | "glorot_normal" | "he_normal" | "he_uniform" };

export interface LayerSpec {
  readonly kind: "dense" | "maxout";
  readonly units: number;
  /** maxout: affine pieces per unit (≥ 2); dense: 1. */
  readonly pieces: number;
  readonly activation: OpRef;
  readonly bias: boolean;
  readonly init: { readonly weights: InitSpec; readonly biases: InitSpec };
  /** Multiplier on the spec's regularizer for this layer's weights (0 = opted out). */
  readonly regularize: number;
  /** Multiplier for this layer's biases (0 unless the spec asks: `regularizer.biases: true`). */
  readonly regularizeBias: number;
}

export type ScheduleSpec =
  | { readonly kind: "constant" }
  | { readonly kind: "step"; readonly every: number; readonly factor: number }
  | { readonly kind: "cosine"; readonly epochs: number; readonly min_lr: number };

export interface TrainSpec {
  readonly batch: number;
  readonly epochs: number;
  readonly shuffle: boolean;
  /** Stop once an epoch's mean training loss is at or below this (null = never). */
  readonly stop_below: number | null;
  readonly early_stopping: { readonly patience: number; readonly restore_best: boolean } | null;
}

export type DataSpec = (
  | { readonly kind: "builtin"; readonly builtin: "iris" | "mnist" }
  | {
      readonly kind: "csv";
      readonly csv: string;
      /** Classification: the column holding the class label. */
      readonly label: string | null;
      /** Regression: the columns holding the targets. */
      readonly targets: readonly string[] | null;
    }
) & {
  readonly test_split: number;
  readonly stratified: boolean;
  readonly standardize: boolean;
  /** builtin mnist only: how many of the package's digits to use (max 10000). */
  readonly limit: number | null;
};

export interface Spec {
  readonly netspec: 1;
  readonly name: string;
  readonly input: number;
  readonly layers: readonly LayerSpec[];
  readonly loss: OpRef;
  /** Penalty strengths (0 = off); elastic net when both are set. */
  readonly regularizer: { readonly l1: number; readonly l2: number };
  readonly seed: number;
  readonly optimizer: {
    readonly lr: number;
    readonly momentum: number;
    readonly nesterov: boolean;
    readonly schedule: ScheduleSpec;
  };
  readonly train: TrainSpec;
  readonly data: DataSpec;
}
