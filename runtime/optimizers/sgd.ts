// SGD with (Nesterov) momentum, in the formulation of Keras (and PyTorch's, up to where lr
// sits): v ← μ·v − lr·g;  p ← p + v   (Nesterov: p ← p + μ·v − lr·g). `lr` is inside the
// velocity, so a schedule's change of lr does not rescale the momentum already gathered.

import { defineOptimizer, STEP } from "./optimizer.ts";

export const sgd = defineOptimizer({
  name: "sgd",
  math: "v ← μ·v − lr·g; p ← p + v (nesterov: p ← p + μ·v − lr·g)",
  defaultLr: null,
  hypers: {
    momentum: { type: "number", range: "[0, 1)", default: 0 },
    nesterov: { type: "boolean", default: false },
  },
  slots: ["velocity"],
  check: (h) => (h.nesterov && h.momentum === 0 ? [{ key: "nesterov", message: "needs momentum > 0" }] : []),
  step(params, grads, slots, h, at) {
    const lr = at[STEP.lr], scale = at[STEP.scale];
    const velocity = slots[0], momentum = h.momentum, n = params.length;
    let sum = 0;
    if (h.nesterov) {
      for (let i = 0; i < n; i++) {
        const g = scale * grads[i];
        velocity[i] = momentum * velocity[i] - lr * g;
        const p = Math.fround(params[i] + momentum * velocity[i] - lr * g);
        params[i] = p;
        sum += p;
      }
    } else {
      for (let i = 0; i < n; i++) {
        velocity[i] = momentum * velocity[i] - lr * (scale * grads[i]);
        const p = Math.fround(params[i] + velocity[i]);
        params[i] = p;
        sum += p;
      }
    }
    return Number.isFinite(sum);
  },
});
