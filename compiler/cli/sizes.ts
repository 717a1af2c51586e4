// The size cap: a spec whose buffers would exceed it is refused before any code is written
// or any buffer allocated. Sizes come from the buffer plan the module would be emitted from
// (numbers only, nothing allocated); every size rule is here.

import type { BufferPlan } from "../plan.ts";
import type { Diagnostic } from "../spec/index.ts";

/** 1 GiB of float32 buffers. */
export const DEFAULT_MAX_BYTES = 2 ** 30;

/** The bytes of every buffer a module with this plan allocates. */
export const bufferBytes = (plan: BufferPlan): number => Object.values(plan.arenas).reduce((a, b) => a + b, 0) * 4;

/**
 * A diagnostic when the plan's buffers exceed `maxBytes`. It points at `batch` (the position
 * of train.batch, or of the spec): with the widths, the batch sets the size of every buffer.
 */
export function checkSizes(plan: BufferPlan, file: string, batch: { line: number; col: number }, maxBytes: number): Diagnostic[] {
  const bytes = bufferBytes(plan);
  if (bytes <= maxBytes) return [];
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 3 : 0)} MiB`;
  return [
    {
      file,
      ...batch,
      message: `the model's buffers would take ${mib(bytes)}, over the ${mib(maxBytes)} cap; use smaller layers or batch, or raise the cap with --max-bytes`,
    },
  ];
}
