// One shard's part of a step, the same on the main thread (shard 0) and in a worker: copy
// the shared params and this shard's rows in, forward, loss, backward, and publish the
// outputs, loss terms and (k ≥ 1) gradients. Every view is made once, so run() allocates nothing.

import type { Model, TensorLayout } from "../module.ts";
import type { SharedViews } from "./layout.ts";

/** What a shard needs to know about the full-batch module it is a slice of. */
export interface FullShape {
  readonly batch: number;
  readonly inputs: readonly Pick<TensorLayout, "offset" | "size">[];
  /** Target elements per row: 1 (a class label) or OUTPUT_SIZE. */
  readonly targetRow: number;
  readonly outputSize: number;
}

export function shardRunner(model: Model, shardInputs: readonly Pick<TensorLayout, "offset">[], full: FullShape, shared: SharedViews, k: number, threads: number): () => void {
  const rows = full.batch / threads;
  const copies: { from: Float32Array | Int32Array; to: Float32Array | Int32Array }[] = full.inputs.map((l, i) => {
    const width = l.size / full.batch, n = rows * width;
    return { from: shared.input.subarray(l.offset + k * n, l.offset + (k + 1) * n), to: model.input.subarray(shardInputs[i]!.offset, shardInputs[i]!.offset + n) };
  });
  const t = rows * full.targetRow;
  copies.push({ from: shared.target.subarray(k * t, (k + 1) * t), to: model.target });
  const copyCount = copies.length;
  const out = shared.output.subarray(k * rows * full.outputSize, (k + 1) * rows * full.outputSize);
  const grads = k === 0 ? null : shared.grads[k]!;
  const loss = shared.loss;
  return () => {
    model.params.set(shared.params);
    for (let c = 0; c < copyCount; c++) copies[c]!.to.set(copies[c]!.from);
    model.forward();
    model.lossTerms();
    model.backward();
    out.set(model.output);
    loss[2 * k] = model.lossParts[0];
    loss[2 * k + 1] = model.lossParts[1];
    if (grads) grads.set(model.grads);
  };
}
