// Global gradient-norm clipping (Keras' global_clipnorm, tf.clip_by_global_norm,
// torch.nn.utils.clip_grad_norm_): when ‖g‖₂ over every parameter exceeds c, every gradient
// is scaled by c/‖g‖₂. The scale is handed to the update rule, which multiplies as it reads,
// so clipping costs one read pass and no write pass. Exact c/‖g‖ as TensorFlow (PyTorch adds
// 1e-6 to the norm).

import { STEP } from "./optimizer.ts";

/** Sets the step's gradient scale: 1, or clipNorm/‖grads‖ when the norm is larger (clipNorm null: 1). */
export function clipScale(grads: Float32Array, clipNorm: number | null, at: Float64Array): void {
  if (clipNorm === null) return void (at[STEP.scale] = 1);
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i] * grads[i];
  const norm = Math.sqrt(sq);
  at[STEP.scale] = norm > clipNorm ? clipNorm / norm : 1;
}
