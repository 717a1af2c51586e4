// autodiff: Graph → TrainGraph, reverse mode. Walk the forward nodes backwards, ask each op's
// gradient rule for backward nodes (downstream = upstream × local), and sum the
// contributions where a value fans out. Values no parameter depends on get no gradient.

import { GraphBuilder } from "./ir/builder.ts";
import { lossTerms, type Graph, type TrainGraph } from "./ir/types.ts";
import { opDef } from "./ops/registry.ts";

export interface AutodiffOptions {
  /** Also compute ∂loss/∂input for every input (grad at a point, specs with no loss). */
  readonly inputGrads?: boolean;
}

export function autodiff(graph: Graph, options: AutodiffOptions = {}): TrainGraph {
  const g = new GraphBuilder(graph);
  g.phase = "backward";

  // Which values depend on something we differentiate by (only those need gradients).
  const source = (kind: string) => kind === "param" || (options.inputGrads === true && kind === "input");
  const dependsOnParam = graph.values.map((v) => source(v.kind));
  for (const node of graph.nodes)
    if (node.inputs.some((i) => dependsOnParam[i])) dependsOnParam[node.output] = true;
  const adjoints = new Map<number, number>();

  // Gradient contributions per value; null stands for the constant 1: the loss is the sum of
  // its terms, so each term is seeded with ∂loss/∂term = 1. Loss and penalty ops take that as
  // null (their rules assume it); wherever a value is needed instead (another op, a sum of
  // contributions, a parameter's gradient) it becomes a `const 1`: every such value is a scalar.
  const one = (id: number) => g.add("const", [], { value: 1 }, `d${g.value(id).name}`);
  const contributions = new Map<number, (number | null)[]>(lossTerms(graph).map((id) => [id, [null]]));
  const total = (id: number): number | null => {
    const got = contributions.get(id) ?? [];
    if (got.length === 1) return got[0]!;
    const parts = got.map((p) => p ?? one(id));
    // Fan-out: gradients add up (micrograd's `+=`). The sum takes the plain name (dW1); the
    // partial terms are renamed after their source (dW1_matmul_tn, dW1_l2).
    const name = `d${g.value(id).name}`;
    for (const p of parts as number[]) if (g.value(p).name === name) g.rename(p, `${name}_${producerOp(p)}`);
    return (parts as number[]).reduce((acc, p, k) => g.add("add", [acc, p], {}, k === parts.length - 1 ? name : `${name}_sum`));
  };

  const producerOp = (id: number) => g.nodes.find((n) => n.output === id)?.op ?? "term";

  for (const node of [...graph.nodes].reverse()) {
    if (!contributions.has(node.output)) continue;
    g.path = node.path;
    let dy = total(node.output);
    const unit = opDef(node.op).unitGradient;
    if (dy === null && unit === undefined) dy = one(node.output);
    if (dy !== null && unit === "required") throw new Error(`internal: ${node.op}'s gradient assumes it is a term of the loss`);
    if (dy !== null) adjoints.set(node.output, dy);
    const needs = node.inputs.map((i) => dependsOnParam[i]!);
    const grads = opDef(node.op).grad!(g, node, dy, needs);
    grads.forEach((d, k) => {
      if (!needs[k] || d === undefined) return;
      const input = node.inputs[k]!;
      contributions.set(input, [...(contributions.get(input) ?? []), d]);
    });
  }

  const taken = new Set<number>();
  const gradOf = (id: number, ownSlot: boolean) => {
    // A parameter nothing reads (a warning in the spec) has a zero gradient.
    if (!contributions.has(id)) contributions.set(id, [g.add("broadcast", [g.add("const", [], { value: 0 }, "zero"), id], { scale: 1 }, `d${g.value(id).name}`)]);
    let d = total(id) ?? one(id); // a parameter summed straight into the loss
    // One value can be the gradient of two parameters (a + b): each needs its own slot in grads.
    if (ownSlot) {
      if (taken.has(d)) d = g.add("copy", [d], {}, `d${g.value(id).name}`);
      taken.add(d);
    }
    adjoints.set(id, d);
    return d;
  };
  const grads = graph.params.map((p) => {
    g.path = p.owner;
    return gradOf(p.value, true);
  });
  g.path = "inputs";
  const inputGrads = graph.inputs.map((p) => (options.inputGrads && contributions.has(p.value) ? gradOf(p.value, false) : -1));
  return { ...graph, values: g.values, nodes: g.nodes, grads, inputGrads, adjoints };
}
