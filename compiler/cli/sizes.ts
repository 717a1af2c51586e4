// The size cap: a spec whose buffers would exceed it is refused before any code is written
// or any buffer allocated. Sizes come from the buffer plan the module would be emitted from
// (numbers only, nothing allocated); every size rule is here.

import type { Graph } from "../ir/types.ts";
import { opDef } from "../ops/registry.ts";
import type { BufferPlan } from "../plan.ts";
import type { Diagnostic } from "../spec/index.ts";

/** 1 GiB of float32 buffers. */
export const DEFAULT_MAX_BYTES = 2 ** 30;

/**
 * Float32s of kernel scratch (the ops' `scratch` rules): each named buffer at the largest
 * size any node asks for, summed over names. That bounds both backends: the JS module
 * allocates one buffer per name at its largest size, and the wasm kernels share one region
 * as large as one kernel's buffers together.
 */
export function scratchFloats(graph: Graph): number {
  const largest = new Map<string, number>();
  for (const n of graph.nodes) {
    const asks = opDef(n.op).scratch?.(n.inputs.map((i) => graph.values[i]!), graph.values[n.output]!, n.attrs) ?? {};
    for (const [name, floats] of Object.entries(asks)) largest.set(name, Math.max(floats, largest.get(name) ?? 0));
  }
  return [...largest.values()].reduce((a, b) => a + b, 0);
}

/** The bytes of every buffer a module with this plan allocates: the arenas and the kernels' scratch. */
export const bufferBytes = ({ graph, plan }: { graph: Graph; plan: BufferPlan }): number =>
  (Object.values(plan.arenas).reduce((a, b) => a + b, 0) + scratchFloats(graph)) * 4;

/**
 * A diagnostic when the plan's buffers exceed `maxBytes`. It points at `batch` (the position
 * of train.batch, or of the spec): with the widths, the batch sets the size of every buffer.
 */
export function checkSizes(planned: { graph: Graph; plan: BufferPlan }, file: string, batch: { line: number; col: number }, maxBytes: number): Diagnostic[] {
  const bytes = bufferBytes(planned);
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
