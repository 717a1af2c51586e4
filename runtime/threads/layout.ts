// The memory the threads of a sharded step share: one SharedArrayBuffer, one region per
// buffer, each 64-byte aligned (its own cache lines: no false sharing between a worker's
// gradient slot and another's). Main and workers compute the same layout from the same sizes.

export interface SharedSizes {
  readonly threads: number;
  readonly params: number;
  readonly input: number;
  /** Elements of the target buffer, and whether it holds class labels (int32). */
  readonly target: number;
  readonly targetIsClass: boolean;
  readonly output: number;
}

/** Control words (Int32): which step to run, how many workers finished it, stop, a failure. */
export const CTRL = { step: 0, done: 1, stop: 2, failed: 3 } as const;

export interface SharedViews {
  readonly ctrl: Int32Array;
  readonly params: Float32Array;
  readonly input: Float32Array;
  readonly target: Int32Array | Float32Array;
  readonly output: Float32Array;
  /** Shard k's gradients (k ≥ 1; shard 0 runs on the main thread and is read in place). */
  readonly grads: readonly Float32Array[];
  /** Shard k's [data loss, penalty] at 2k, 2k+1. */
  readonly loss: Float64Array;
}

const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

export function sharedBytes(s: SharedSizes): number {
  return align(16) + align(4 * s.params) + align(4 * s.input) + align(4 * s.target) + align(4 * s.output) +
    (s.threads - 1) * align(4 * s.params) + align(16 * s.threads);
}

/** Views of every region (made once: a step then allocates nothing). */
export function sharedViews(sab: SharedArrayBuffer, s: SharedSizes): SharedViews {
  let at = 0;
  const take = <T>(make: (offset: number) => T, bytes: number): T => {
    const v = make(at);
    at += align(bytes);
    return v;
  };
  const ctrl = take((o) => new Int32Array(sab, o, 4), 16);
  const params = take((o) => new Float32Array(sab, o, s.params), 4 * s.params);
  const input = take((o) => new Float32Array(sab, o, s.input), 4 * s.input);
  const target = take((o) => (s.targetIsClass ? new Int32Array(sab, o, s.target) : new Float32Array(sab, o, s.target)), 4 * s.target);
  const output = take((o) => new Float32Array(sab, o, s.output), 4 * s.output);
  const grads: Float32Array[] = [new Float32Array(0)];
  for (let k = 1; k < s.threads; k++) grads.push(take((o) => new Float32Array(sab, o, s.params), 4 * s.params));
  const loss = take((o) => new Float64Array(sab, o, 2 * s.threads), 16 * s.threads);
  return { ctrl, params, input, target, output, grads, loss };
}
