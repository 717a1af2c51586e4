// Prediction with trained weights: rows go through model.infer() BATCH at a time (the last
// chunk may be partial), so any number of rows works with a fixed-batch module.

import { DataError } from "./data/index.ts";
import { argmaxAt } from "./metrics.ts";
import type { CompiledModule } from "./module.ts";

export interface Prediction {
  /** rows × OUTPUT_SIZE raw outputs (scores/logits/predictions). */
  readonly scores: Float32Array;
  /** Class per row: argmax for "argmax" modules, output > 0 for a single-output
   *  "threshold" module; null otherwise (regression, multi-label). */
  readonly classes: Int32Array | null;
}

/** `state`: the model's state buffers (running statistics) as trained; init's values when absent. */
export function predict(mod: CompiledModule, params: Float32Array, features: Float32Array, rows: number, state?: Float32Array): Prediction {
  const f = mod.INPUT_SIZE, o = mod.OUTPUT_SIZE, B = mod.BATCH;
  if (params.length !== mod.PARAM_COUNT) {
    throw new DataError(`predict: ${params.length} parameters given; ${mod.SPEC_NAME} has ${mod.PARAM_COUNT}`);
  }
  if (!Number.isInteger(rows) || rows < 0 || features.length !== rows * f) {
    throw new DataError(`predict: ${features.length} feature values is not ${rows} rows × ${f} inputs`);
  }
  const model = mod.createModel();
  model.init(0);
  model.params.set(params);
  if (state) model.state.set(state);
  const scores = new Float32Array(rows * o);
  for (let start = 0; start < rows; start += B) {
    const n = Math.min(B, rows - start);
    model.input.set(features.subarray(start * f, (start + n) * f));
    model.infer(n);
    scores.set(model.output.subarray(0, n * o), start * o);
  }
  let classes: Int32Array | null = null;
  if (mod.ACCURACY === "argmax") {
    classes = new Int32Array(rows);
    for (let r = 0; r < rows; r++) classes[r] = argmaxAt(scores, r * o, o);
  } else if (mod.ACCURACY === "threshold" && o === 1) {
    classes = Int32Array.from(scores, (s) => (s > 0 ? 1 : 0));
  }
  return { scores, classes };
}
