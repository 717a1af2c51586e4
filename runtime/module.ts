// The shape of a generated module, as the runtime sees it. Generated modules do not import
// this (they have no imports at all); they match it structurally.

export interface ParamLayout {
  /** e.g. `W1`, `b1` */
  readonly name: string;
  /** The spec path it comes from, e.g. `layers[0].weights`. */
  readonly path: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** The training settings of the spec, embedded in the module so it is self-describing. */
export interface TrainingConfig {
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly schedule:
    | { readonly kind: "constant" }
    | { readonly kind: "step"; readonly every: number; readonly factor: number }
    | { readonly kind: "cosine"; readonly epochs: number; readonly min_lr: number };
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
  /** [BATCH × INPUT_SIZE], row-major. */
  readonly input: Float32Array;
  /** Class labels [BATCH] (Int32Array) or target rows [BATCH × OUTPUT_SIZE] (Float32Array). */
  readonly target: Int32Array | Float32Array;
  /** The network's scores/predictions [BATCH × OUTPUT_SIZE] after forward() or infer(). */
  readonly output: Float32Array;
  /** [data loss, regularizer penalty] of the last loss() call. */
  readonly lossParts: Float64Array;
  /** Fills params from the spec's init rules with a seeded PRNG (same seed → same bits). */
  init(seed: number): void;
  /** Forward pass over the full compiled batch. */
  forward(): void;
  /** Loss of the last forward pass (data + regularizer); also fills lossParts. */
  loss(): number;
  /** Fills lossParts only. The training loop calls this: returning a double from a call V8
   *  does not inline allocates a heap number, and lossParts needs no return value. */
  lossTerms(): void;
  /** Gradients of the last forward pass into grads. */
  backward(): void;
  /** Forward pass over the first `rows` rows of input (1 ≤ rows ≤ BATCH), for prediction. */
  infer(rows: number): void;
}

export interface CompiledModule {
  readonly SPEC_NAME: string;
  readonly SPEC_HASH: string;
  readonly NETSPEC_VERSION: string;
  readonly INPUT_SIZE: number;
  readonly OUTPUT_SIZE: number;
  readonly BATCH: number;
  readonly LOSS: string;
  /** `class`: targets are labels; `vector`: targets are rows of OUTPUT_SIZE. */
  readonly TARGET: "class" | "vector";
  /** How accuracy is read from outputs, or null for regression losses. */
  readonly ACCURACY: "argmax" | "threshold" | null;
  readonly PARAM_COUNT: number;
  readonly PARAMS: readonly ParamLayout[];
  readonly TRAINING: TrainingConfig;
  createModel(): Model;
}
