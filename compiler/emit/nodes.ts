// Straight-line code for a run of nodes: each spec path opens with a comment naming it and
// its summary, and each node gets a comment with its math and a block with its code.
// Returns the nodes it wrote as JavaScript (the others run as a backend's kernels).

import type { CodeBlockWriter } from "ts-morph";
import type { TrainGraph } from "../ir/types.ts";
import type { EmitArgs } from "../ops/op.ts";
import { opDef } from "../ops/registry.ts";
import { commentSafe } from "./text.ts";

export function emitNodes(
  w: CodeBlockWriter,
  graph: TrainGraph,
  order: readonly number[],
  env: Pick<EmitArgs, "ref" | "rows" | "scratch" | "mode">,
  /** A backend's statement that runs node k instead of its JavaScript code (a wasm kernel), or null. */
  call: (k: number) => string | null = () => null,
): number[] {
  const asJavaScript: number[] = [];
  let path: string | undefined;
  for (const k of order) {
    const node = graph.nodes[k]!;
    const op = opDef(node.op);
    const ins = node.inputs.map((i) => graph.values[i]!);
    const out = graph.values[node.output]!;
    if (node.path !== path) {
      if (path !== undefined) w.blankLine();
      path = node.path;
      const note = graph.notes[path];
      w.writeLine(`// ${commentSafe(path)}${note ? `: ${commentSafe(note)}` : ""}`);
    }
    const shapes = ins.map((v) => `[${v.shape.join("×")}]`).join(", ");
    w.writeLine(`// ${commentSafe(op.describe(node, ins, out))}    ${shapes} → [${out.shape.join("×")}]`);
    const instead = call(k);
    if (instead !== null) w.writeLine(instead);
    else {
      w.block(() => op.emit({ w, node, ins, out, ...env }));
      asJavaScript.push(k);
    }
  }
  return asJavaScript;
}
