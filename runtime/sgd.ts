// SGD with (Nesterov) momentum over the flat parameter/gradient arrays, in the
// formulation of Keras/PyTorch:  v ← μ·v − lr·g;  p ← p + v   (Nesterov: p ← p + μ·v − lr·g).
// Returns whether every updated parameter is finite: summing them costs one add per element
// (far cheaper than a second pass), and a NaN/Infinity anywhere makes the sum non-finite
// (fround: the value as stored, so a float32 overflow to Infinity is seen). A boolean, not
// the sum: a double returned from a call V8 does not inline is boxed (allocated) each step.

export function sgdStep(
  params: Float32Array, grads: Float32Array, velocity: Float32Array,
  lr: number, momentum: number, nesterov: boolean,
): boolean {
  const n = params.length;
  let sum = 0;
  if (nesterov) {
    for (let i = 0; i < n; i++) {
      const g = grads[i];
      velocity[i] = momentum * velocity[i] - lr * g;
      const p = Math.fround(params[i] + momentum * velocity[i] - lr * g);
      params[i] = p;
      sum += p;
    }
  } else {
    for (let i = 0; i < n; i++) {
      velocity[i] = momentum * velocity[i] - lr * grads[i];
      const p = Math.fround(params[i] + velocity[i]);
      params[i] = p;
      sum += p;
    }
  }
  return Number.isFinite(sum);
}
