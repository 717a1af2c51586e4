// The shape of a generated module, as the runtime sees it. Generated modules do not import
// this (they have no imports at all); they match it structurally.

import type { OptimizerConfig } from "./optimizers/index.ts";

/** Where a tensor lives in one of the module's flat arrays. */
export interface TensorLayout {
  /** e.g. `W1`, `b1`, or an input's name */
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** Where a parameter (or state buffer) lives in the flat params (or state) array. */
export interface ParamLayout extends TensorLayout {
  /** Its owner's spec path and its role there, e.g. `layers[0].weights`. */
  readonly path: string;
}

/** The training settings of the spec, embedded in the module so it is self-describing. */
export interface TrainingConfig {
  /** The update rule and its hyperparameters (runtime/optimizers/). */
  readonly optimizer: OptimizerConfig;
  /** Base learning rate; the schedule and the warmup scale it. */
  readonly lr: number;
  readonly schedule:
    | { readonly kind: "constant" }
    | { readonly kind: "step"; readonly every: number; readonly factor: number }
    | { readonly kind: "cosine"; readonly epochs: number; readonly min_lr: number };
  /** Steps of linear warmup (0: none); multiplies the schedule. */
  readonly warmup: number;
  /** Clip the global L2 norm of the gradients to this (null: no clipping). */
  readonly clip_norm: number | null;
  readonly epochs: number;
  readonly shuffle: boolean;
  readonly stop_below: number | null;
  readonly early_stopping: { readonly patience: number; readonly restore_best: boolean } | null;
  readonly seed: number;
}

export interface Model {
  /** Every parameter, contiguous, laid out as PARAMS says. */
  readonly params: Float32Array;
  /** ∂loss/∂params, same layout; written by backward(). */
  readonly grads: Float32Array;
  /** Buffers kept across steps but not trained (running statistics, …), laid out as STATE says. */
  readonly state: Float32Array;
  /** [BATCH × INPUT_SIZE], row-major (with several inputs, each input's block in turn, as INPUTS says). */
  readonly input: Float32Array;
  /** Each input by name: views into `input`. */
  readonly inputs: Readonly<Record<string, Float32Array>>;
  /** ∂loss/∂input by name after backward(): only for specs with no loss (training never pays for them). */
  readonly inputGrads: Readonly<Record<string, Float32Array>>;
  /** Class labels [BATCH] (Int32Array) or target rows [BATCH × OUTPUT_SIZE] (Float32Array). */
  readonly target: Int32Array | Float32Array;
  /** The network's scores/predictions [BATCH × OUTPUT_SIZE] after forward() or infer(). */
  readonly output: Float32Array;
  /** [data loss, regularizer penalty] of the last loss() call. */
  readonly lossParts: Float64Array;
  /** Fills params from the spec's init rules with a seeded PRNG (same seed → same bits), and resets state. */
  init(seed: number): void;
  /** Training-mode forward pass over the full compiled batch. */
  forward(): void;
  /** Loss of the last forward pass (data + regularizer); also fills lossParts. */
  loss(): number;
  /** Fills lossParts only. The training loop calls this: returning a double from a call V8
   *  does not inline allocates a heap number, and lossParts needs no return value. */
  lossTerms(): void;
  /** Gradients of the last forward pass into grads. */
  backward(): void;
  /** Inference-mode forward pass (no dropout, running statistics): output rows 0…rows−1 are
   *  valid (1 ≤ rows ≤ BATCH); rows are independent, so what the other rows hold does not matter. */
  infer(rows: number): void;
  /** infer(rows), then the data loss over those rows (their mean, as the loss defines it)
   *  and the penalty, into lossParts. */
  evaluate(rows: number): void;
}

export interface CompiledModule {
  readonly SPEC_NAME: string;
  readonly SPEC_HASH: string;
  readonly NETSPEC_VERSION: string;
  readonly INPUT_SIZE: number;
  /** Each input's per-sample shape and its place in `input`. */
  readonly INPUTS: readonly TensorLayout[];
  readonly OUTPUT_SIZE: number;
  readonly BATCH: number;
  /** The training loss, or null for a spec that computes a scalar output and its gradients. */
  readonly LOSS: string | null;
  /** How the data loss combines the rows of a batch: their mean, or their sum. */
  readonly LOSS_ROWS: "mean" | "sum";
  /** `class`: targets are labels; `vector`: targets are rows of OUTPUT_SIZE; null: no loss, no targets. */
  readonly TARGET: "class" | "vector" | null;
  /** How accuracy is read from outputs, or null for regression losses. */
  readonly ACCURACY: "argmax" | "threshold" | null;
  readonly PARAM_COUNT: number;
  readonly PARAMS: readonly ParamLayout[];
  readonly STATE_COUNT: number;
  readonly STATE: readonly ParamLayout[];
  readonly TRAINING: TrainingConfig;
  createModel(): Model;
}
