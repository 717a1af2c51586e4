// Readable dumps of each phase's artifact, for `netspec compile --dump lower|autodiff|plan`.

import { opDef } from "../ops/registry.ts";
import type { BufferPlan } from "../plan.ts";
import type { Graph, Value } from "./types.ts";
import { lossTerms, shapeText } from "./types.ts";

const typed = (v: Value) => `${v.name}: ${v.dtype}[${shapeText(v.shape)}]`;

export function printGraph(graph: Graph, title: string): string {
  const lines = [`graph ${title}`];
  const v = (id: number) => graph.values[id]!;
  for (const p of graph.inputs) lines.push(`  input  ${typed(v(p.value))}${v(p.value).sparse ? "  sparse: mostly zeros in the data" : ""}`);
  for (const p of graph.targets) lines.push(`  target ${typed(v(p.value))}`);
  for (const p of graph.params) {
    const init = Object.entries(p.init).map(([k, x]) => (k === "kind" ? x : `${k}=${x}`)).join(" ");
    lines.push(`  param  ${typed(v(p.value))}  ${p.role} of ${p.owner}, init ${init}, regularize ×${p.regularize}`);
  }
  for (const s of graph.state) lines.push(`  state  ${typed(v(s.value))}  ${s.role} of ${s.owner}, starts at ${s.fill}`);
  let path = "";
  for (const n of graph.nodes) {
    if (n.path !== path) {
      path = n.path;
      lines.push(`  # ${path}${graph.notes[path] ? `: ${graph.notes[path]}` : ""}${n.phase === "backward" ? " (backward)" : ""}`);
    }
    const structured = Object.values(n.attrs).some((x) => typeof x === "object" && x !== null);
    const attrs = structured ? "" : Object.entries(n.attrs).map(([k, x]) => `${k}=${x}`).join(", ");
    let call = `${n.op}(${n.inputs.map((i) => v(i).name).join(", ")}${attrs ? `; ${attrs}` : ""})`;
    // A fused node's attributes are a chain of ops: its own description reads better.
    if (structured) call += `  # ${opDef(n.op).describe(n, n.inputs.map(v), v(n.output))}`;
    lines.push(`  ${typed(v(n.output)).padEnd(28)} = ${call}`);
  }
  const loss = lossTerms(graph).map((id) => v(id).name).join(" + ");
  lines.push(`  output ${graph.outputs.map((p) => v(p.value).name).join(", ")}, loss ${loss}`);
  if ("grads" in graph) {
    const grads = graph.grads as readonly number[];
    lines.push(`  grads  ${graph.params.map((p, k) => `${v(p.value).name} → ${v(grads[k]!).name}`).join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

export function printPlan(graph: Graph, plan: BufferPlan): string {
  const lines = ["buffer plan"];
  for (const [arena, size] of Object.entries(plan.arenas)) lines.push(`  arena ${arena.padEnd(7)} ${size} floats (${size * 4} bytes)`);
  const rows = graph.values
    .filter((v) => plan.slots[v.id])
    .map((v) => {
      const s = plan.slots[v.id]!;
      return `  ${v.name.padEnd(14)} ${s.arena.padEnd(7)} [${s.offset}, ${s.offset + s.size})`;
    });
  lines.push(...rows);
  for (const [fn, nodes] of Object.entries(plan.functions)) lines.push(`  ${fn}(): ${nodes.length} nodes`);
  return lines.join("\n") + "\n";
}
