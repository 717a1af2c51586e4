// The Model interface written into every generated module (which has no imports). It must
// match runtime/module.ts; test/emit checks a generated module against that type.

export const MODEL_INTERFACE = `/** The buffers and entry points createModel() returns. */
export interface Model {
  /** Every parameter, contiguous, laid out as PARAMS says. */
  readonly params: Float32Array;
  /** Gradients of the loss, same layout as params; written by backward(). */
  readonly grads: Float32Array;
  /** [BATCH × INPUT_SIZE], row-major. */
  readonly input: Float32Array;
  /** Class labels [BATCH] or target rows [BATCH × OUTPUT_SIZE], as TARGET says. */
  readonly target: Int32Array | Float32Array;
  /** [BATCH × OUTPUT_SIZE]: the network's outputs after forward() or infer(rows). */
  readonly output: Float32Array;
  /** [data loss, regularizer penalty] of the last loss(). */
  readonly lossParts: Float64Array;
  /** Fills params from the spec's init rules; the same seed gives the same bits. */
  init(seed: number): void;
  /** Forward pass over the full batch. */
  forward(): void;
  /** Loss of the last forward pass (data + regularizer). */
  loss(): number;
  /** Fills lossParts without returning a number (allocation-free even where not inlined). */
  lossTerms(): void;
  /** Gradients of the last forward pass and loss into grads. */
  backward(): void;
  /** Forward pass over the first \`rows\` rows of input (1 ≤ rows ≤ BATCH). */
  infer(rows: number): void;
}`;
