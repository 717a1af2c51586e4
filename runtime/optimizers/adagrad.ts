// Adagrad (Duchi et al.), PyTorch's torch.optim.Adagrad: s ← s + g²; p ← p − lr·g/(√s + ε),
// ε = 1e-10 added outside the square root, sums starting at initial_accumulator (PyTorch: 0;
// Keras starts them at 0.1 and adds ε 1e-7 inside the root).

import { defineOptimizer, STEP } from "./optimizer.ts";

export const adagrad = defineOptimizer({
  name: "adagrad",
  math: "s ← s + g²; p ← p − lr·g/(√s + ε)",
  defaultLr: null,
  hypers: {
    eps: { type: "number", range: "> 0", default: 1e-10 },
    initial_accumulator: { type: "number", range: "≥ 0", default: 0 },
  },
  slots: ["sum"],
  reset: (slots, h) => void slots[0].fill(h.initial_accumulator),
  step(params, grads, slots, h, at) {
    const lr = at[STEP.lr], scale = at[STEP.scale];
    const s = slots[0], eps = h.eps, n = params.length;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const g = scale * grads[i];
      const si = Math.fround(s[i] + g * g);
      s[i] = si;
      const p = Math.fround(params[i] - (lr * g) / (Math.sqrt(si) + eps));
      params[i] = p;
      sum += p;
    }
    return Number.isFinite(sum);
  },
});
