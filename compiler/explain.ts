// explain: a per-layer table of output shape, parameters and FLOPs per training step, and
// the bytes of every arena. Pure: returns the text.

import { chooseBackend } from "./backend.ts";
import type { Compiled } from "./compile.ts";
import { shapeSize, shapeText, type Graph, type Node } from "./ir/types.ts";
import { opDef } from "./ops/registry.ts";
import { modelNodes } from "./spec/nodes.ts";
import type { Spec } from "./spec/types.ts";

/** Floating-point operations of the nodes that pass `which`, as each op counts its own. */
export function flops(graph: Graph, which: (n: Node) => boolean = () => true): number {
  return graph.nodes.filter(which).reduce((sum, n) => sum + opDef(n.op).flops(n.inputs.map((i) => graph.values[i]!), graph.values[n.output]!, n.attrs), 0);
}

export function explain(spec: Spec, { graph, plan }: Compiled): string {
  const rows: string[][] = [["layer", "kind", "output", "params", "FLOPs/step"]];
  const flopsOf = (path: string) => flops(graph, (n) => n.path === path);
  let totalParams = 0;
  let totalFlops = 0;
  for (const node of modelNodes(spec)) {
    const path = node.path;
    const params = graph.params.filter((p) => p.owner === path).reduce((s, p) => s + shapeSize(graph.values[p.value]!.shape), 0);
    const flops = flopsOf(path);
    // The node's output is the last value its forward nodes compute.
    const out = graph.nodes.filter((n) => n.path === path && n.phase === "forward").at(-1)!.output;
    totalParams += params;
    totalFlops += flops;
    rows.push([path, graph.notes[path] ?? node.op, shapeText(graph.values[out]!.shape), `${params}`, `${flops}`]);
  }
  for (const path of ["loss", "regularizer"]) {
    const flops = flopsOf(path);
    if (!flops) continue;
    totalFlops += flops;
    rows.push([path, graph.notes[path] ?? "", "scalar", "0", `${flops}`]);
  }
  rows.push(["total", "", "", `${totalParams}`, `${totalFlops}`]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ");
  const out = [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1, -1).map(line), widths.map((w) => "-".repeat(w)).join("  "), line(rows.at(-1)!)];
  out.push("", "arenas (float32 unless noted):");
  let bytes = 0;
  for (const [arena, size] of Object.entries(plan.arenas)) {
    const b = size * 4;
    bytes += b;
    out.push(`  ${arena.padEnd(7)} ${String(size).padStart(10)} elements  ${String(b).padStart(12)} bytes${arena === "target" && graph.targets.some((t) => graph.values[t.value]!.dtype === "i32") ? " (int32)" : ""}`);
  }
  out.push(`  ${"total".padEnd(7)} ${"".padStart(10)}           ${String(bytes).padStart(12)} bytes`);
  const choice = chooseBackend(graph, plan);
  out.push("", `backend: ${choice.backend} (what train --backend auto uses): ${choice.reason}`);
  return out.join("\n") + "\n";
}
