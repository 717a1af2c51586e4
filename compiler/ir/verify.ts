// verify: the IR checker (cf. autodidax's typecheck_jaxpr). Runs after lowering and after
// autodiff; a failure is a compiler bug, so it throws with every problem listed.

import { opDef } from "../ops/registry.ts";
import { lossTerms, type Graph } from "./types.ts";

export function verify(graph: Graph, phase: string): void {
  const problems: string[] = [];
  const defined = new Set<number>();
  graph.values.forEach((v, id) => {
    if (v.id !== id) problems.push(`value ${v.name} has id ${v.id} at index ${id}`);
    if (v.kind !== "temp") defined.add(id);
  });
  for (const node of graph.nodes) {
    const where = `${node.path} ${node.op} → %${node.output}`;
    for (const i of node.inputs) if (!defined.has(i)) problems.push(`${where}: input %${i} used before it is defined`);
    if (defined.has(node.output)) problems.push(`${where}: %${node.output} defined twice`);
    defined.add(node.output);
    const ins = node.inputs.map((i) => graph.values[i]!);
    const out = graph.values[node.output]!;
    const rule = opDef(node.op).shape(ins, node.attrs);
    if (typeof rule === "string") problems.push(`${where}: ${rule}`);
    else if (rule.shape.join() !== out.shape.join() || rule.dtype !== out.dtype)
      problems.push(`${where}: declared [${out.shape}] ${out.dtype}, op says [${rule.shape}] ${rule.dtype}`);
  }
  const named: [string, number][] = [...graph.inputs, ...graph.targets, ...graph.outputs].map((p) => [`port ${p.name}`, p.value]);
  named.push(...lossTerms(graph).map((id): [string, number] => ["loss term", id]));
  for (const [what, id] of named) if (!defined.has(id)) problems.push(`the ${what} %${id} is never defined`);
  const owned = [...graph.params, ...graph.state].map((p) => p.value);
  for (const id of owned) if (graph.values[id]?.kind !== "param" && graph.values[id]?.kind !== "state") problems.push(`%${id} is owned by a layer but is a ${graph.values[id]?.kind}`);
  if ("grads" in graph)
    for (const id of graph.grads as readonly number[]) if (!defined.has(id)) problems.push(`gradient %${id} is never defined`);
  if (problems.length) throw new Error(`internal: IR check failed after ${phase}:\n  ${problems.join("\n  ")}`);
}
