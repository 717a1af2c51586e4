// Which nodes of the plan run as wasm kernels: every node whose op has a `wasmKernel` rule
// that accepts it (a matrix product whose fused epilogue has wasm rules throughout). The
// rest stay JavaScript over views of the same memory. Each kernel is named after its spec
// layer and the value it computes.

import type { TrainGraph } from "../../ir/types.ts";
import type { WasmKernel } from "../../ops/op.ts";
import { opDef } from "../../ops/registry.ts";
import type { BufferPlan } from "../../plan.ts";
import { commentSafe } from "../text.ts";
import { align16, type MemoryLayout } from "./memory.ts";

export interface Kernel extends WasmKernel {
  /** The function's name and export (`layers_0_h1`). */
  readonly name: string;
  /** Comment lines above the function: the spec path and the math. */
  readonly comments: readonly string[];
  /** Whether the node's output is batch-shaped (rows independent), so a call may compute every row. */
  readonly rowwise: boolean;
  /** Bytes of the shared scratch region it uses (MemoryLayout.scratch). */
  readonly scratchBytes: number;
}

export function selectKernels(graph: TrainGraph, plan: BufferPlan, memory: MemoryLayout): Map<number, Kernel> {
  const kernels = new Map<number, Kernel>();
  const order = [...plan.functions.forward, ...plan.functions.loss, ...plan.functions.backward];
  for (const k of order) {
    const node = graph.nodes[k]!;
    const op = opDef(node.op);
    const ins = node.inputs.map((i) => graph.values[i]!);
    const out = graph.values[node.output]!;
    let scratchBytes = 0;
    const scratch = (floats: number) => {
      const at = memory.scratch + scratchBytes;
      scratchBytes += align16(4 * floats);
      return at;
    };
    const kernel = op.wasmKernel?.({ node, ins, out, addr: memory.addr, scratch });
    if (!kernel) continue;
    const id = `${node.path}_${out.name}`.replace(/[^A-Za-z0-9_]+/g, "_").replace(/_+/g, "_").replace(/^_/, "");
    const note = graph.notes[node.path];
    const shapes = ins.map((v) => `[${v.shape.join("×")}]`).join(", ");
    kernels.set(k, {
      ...kernel,
      name: id,
      comments: [
        `${commentSafe(node.path)}${note ? `: ${commentSafe(note)}` : ""}`,
        `${commentSafe(op.describe(node, ins, out))}    ${shapes} → [${out.shape.join("×")}]`,
        ...(kernel.note ? [commentSafe(kernel.note)] : []),
      ],
      rowwise: out.batched,
      scratchBytes,
    });
  }
  return kernels;
}
