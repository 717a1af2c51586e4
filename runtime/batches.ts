// How training draws and feeds batches, shared by the Trainer and by anything that must step
// a module exactly as it does (the benchmark): the shuffle stream, each epoch's order, and
// the copy of a batch's rows into the module's buffers.

import type { CompiledModule, Model } from "./module.ts";
import { Rng, mixSeed } from "./rng.ts";

/** The seeded stream that shuffles the training rows (its own stream of the run's seed). */
export const shuffleStream = (seed: number): Rng => new Rng(mixSeed(seed, 1));

/**
 * An epoch's row order: from identity each time (so only the stream's state matters on
 * resume), shuffled unless the spec says not to. Full batches are read from its start.
 */
export function epochOrder(perm: Int32Array, rng: Rng, shuffle: boolean): void {
  for (let i = 0; i < perm.length; i++) perm[i] = i;
  if (shuffle) rng.shuffle(perm);
}

/** Rows of a data set as the module reads them: features, labels (class loss) or target rows. */
export interface BatchSource {
  readonly features: Float32Array;
  readonly labels: Int32Array | null;
  /** Rows of OUTPUT_SIZE targets, for a vector loss. */
  readonly vec: Float32Array | null;
}

/**
 * Copies the rows `slots[0…BATCH)` into model.input and model.target. Plain loops: a
 * subarray() view would allocate every step.
 */
export function loadBatch(mod: CompiledModule, model: Model, src: BatchSource, slots: Int32Array): void {
  const f = mod.INPUT_SIZE, o = mod.OUTPUT_SIZE, B = mod.BATCH;
  const x = src.features, input = model.input, target = model.target, labels = src.labels, vec = src.vec;
  const isClass = mod.TARGET === "class";
  for (let i = 0; i < B; i++) {
    const r = slots[i];
    for (let j = 0, s = r * f, d = i * f; j < f; j++) input[d + j] = x[s + j];
    if (isClass && labels) target[i] = labels[r];
    else if (vec) for (let j = 0, s = r * o, d = i * o; j < o; j++) target[d + j] = vec[s + j];
  }
}
