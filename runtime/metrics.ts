// Accuracy from a batch of outputs, allocation-free (called every step).
//   argmax:    the row's largest output vs the label (or the target row's largest entry);
//   threshold: each output > 0 (a logit) vs target > 0.5, counted per element.

import type { CompiledModule } from "./module.ts";

/** Index of the largest of `n` values starting at `at` (first one on ties). */
export function argmaxAt(a: Float32Array, at: number, n: number): number {
  let best = 0, v = a[at];
  for (let j = 1; j < n; j++) {
    if (a[at + j] > v) { v = a[at + j]; best = j; }
  }
  return best;
}

/** Correct predictions among the first `n` output rows; slots[i] is row i's dataset row. */
export function countCorrect(
  mod: CompiledModule, output: Float32Array, n: number, slots: Int32Array,
  labels: Int32Array | null, vec: Float32Array | null,
): number {
  const o = mod.OUTPUT_SIZE;
  let correct = 0;
  if (mod.ACCURACY === "argmax") {
    for (let i = 0; i < n; i++) {
      const r = slots[i];
      const truth = labels ? labels[r] : vec ? argmaxAt(vec, r * o, o) : -1;
      if (argmaxAt(output, i * o, o) === truth) correct++;
    }
  } else if (mod.ACCURACY === "threshold" && vec) {
    for (let i = 0; i < n; i++) {
      const r = slots[i];
      for (let j = 0; j < o; j++) {
        if (output[i * o + j] > 0 === vec[r * o + j] > 0.5) correct++;
      }
    }
  }
  return correct;
}
