// Adam (Kingma & Ba), bias-corrected, in PyTorch's arithmetic:
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
// ε is added to the bias-corrected √v̂ (PyTorch, and the paper); Keras adds it to the
// uncorrected √v, which differs only while 1−β2ᵗ is far from 1. AdamW (adamw.ts) is this
// loop with a decoupled decay, so the math exists once.

import { defineOptimizer, STEP } from "./optimizer.ts";

/**
 * One Adam step over every parameter; `weightDecay` is AdamW's λ (0 for Adam): p ← p·(1 − lr·λ)
 * first, as PyTorch's AdamW does.
 */
export function adamStep(
  params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array,
  beta1: number, beta2: number, eps: number, at: Float64Array, weightDecay: number,
): boolean {
  const lr = at[STEP.lr], t = at[STEP.t], scale = at[STEP.scale], decay = lr * weightDecay;
  const stepSize = lr / (1 - Math.pow(beta1, t));
  const sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
  const keep = 1 - decay, n = params.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const g = scale * grads[i];
    const mi = Math.fround(beta1 * m[i] + (1 - beta1) * g);
    const vi = Math.fround(beta2 * v[i] + (1 - beta2) * g * g);
    m[i] = mi;
    v[i] = vi;
    const p = Math.fround(params[i] * keep - (stepSize * mi) / (Math.sqrt(vi) / sqrtCorrection2 + eps));
    params[i] = p;
    sum += p;
  }
  return Number.isFinite(sum);
}

export const adamHypers = {
  beta1: { type: "number", range: "[0, 1)", default: 0.9 },
  beta2: { type: "number", range: "[0, 1)", default: 0.999 },
  eps: { type: "number", range: "> 0", default: 1e-8 },
} as const;

export const adam = defineOptimizer({
  name: "adam",
  math: "m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·m̂/(√v̂ + ε)",
  defaultLr: 0.001,
  hypers: adamHypers,
  slots: ["m", "v"],
  step: (params, grads, slots, h, at) => adamStep(params, grads, slots[0], slots[1], h.beta1, h.beta2, h.eps, at, 0),
});
