// RMSprop (Hinton), in PyTorch's torch.optim.RMSprop arithmetic with Keras' ρ = 0.9
// (PyTorch's alpha defaults to 0.99):
//   v ← ρ·v + (1−ρ)·g²;  d ← g / (√v + ε)
//   momentum 0: p ← p − lr·d;  else b ← μ·b + d, p ← p − lr·b
// ε is added outside the square root (PyTorch); Keras adds it inside, √(v + ε), with ε 1e-7.
// The momentum buffer holds d without lr (PyTorch; Keras folds lr into it).

import { defineOptimizer, STEP } from "./optimizer.ts";

export const rmsprop = defineOptimizer({
  name: "rmsprop",
  math: "v ← ρ·v + (1−ρ)·g²; b ← μ·b + g/(√v + ε); p ← p − lr·b",
  defaultLr: null,
  hypers: {
    rho: { type: "number", range: "[0, 1)", default: 0.9 },
    eps: { type: "number", range: "> 0", default: 1e-8 },
    momentum: { type: "number", range: "[0, 1)", default: 0 },
  },
  slots: ["v", "velocity"],
  step(params, grads, slots, h, at) {
    const lr = at[STEP.lr], scale = at[STEP.scale];
    const v = slots[0], b = slots[1], rho = h.rho, eps = h.eps, mu = h.momentum, n = params.length;
    let sum = 0;
    if (mu === 0) {
      // No momentum: the buffer stays 0 and d is applied as is (PyTorch's branch too).
      for (let i = 0; i < n; i++) {
        const g = scale * grads[i];
        const vi = Math.fround(rho * v[i] + (1 - rho) * g * g);
        v[i] = vi;
        const p = Math.fround(params[i] - lr * (g / (Math.sqrt(vi) + eps)));
        params[i] = p;
        sum += p;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const g = scale * grads[i];
        const vi = Math.fround(rho * v[i] + (1 - rho) * g * g);
        v[i] = vi;
        const bi = Math.fround(mu * b[i] + g / (Math.sqrt(vi) + eps));
        b[i] = bi;
        const p = Math.fround(params[i] - lr * bi);
        params[i] = p;
        sum += p;
      }
    }
    return Number.isFinite(sum);
  },
});
