// AdamW (Loshchilov & Hutter), PyTorch's torch.optim.AdamW: Adam with the weight decay
// decoupled from the gradient, p ← p·(1 − lr·λ) before the Adam step. The decay is scaled by
// the step's lr (schedule and warmup included), as in PyTorch and Keras; the default λ is
// PyTorch's 0.01 (Keras' AdamW defaults to 0.004). It applies to every trained parameter,
// biases included, as PyTorch does without parameter groups. Decay is not a gradient, so
// clip_norm does not touch it.

import { adamHypers, adamStep } from "./adam.ts";
import { defineOptimizer } from "./optimizer.ts";

export const adamw = defineOptimizer({
  name: "adamw",
  math: "p ← p·(1 − lr·λ), then the Adam step",
  defaultLr: 0.001,
  hypers: { ...adamHypers, weight_decay: { type: "number", range: "≥ 0", default: 0.01 } },
  slots: ["m", "v"],
  step: (params, grads, slots, h, at) =>
    adamStep(params, grads, slots[0], slots[1], h.beta1, h.beta2, h.eps, at, h.weight_decay),
});
