// The float64 reference: evaluates a Graph (or TrainGraph) node by node with each op's
// `eval`. Tests compare generated float32 code against it and differentiate it numerically.

import type { Graph } from "./ir/types.ts";
import type { Tensor64 } from "./ops/op.ts";
import { opDef } from "./ops/registry.ts";

export interface Feeds {
  /** One array per entry of graph.params, in order. */
  readonly params: readonly Float64Array[];
  readonly input: Float64Array;
  /** Class indices or target rows, as the graph's target value says. */
  readonly target: Float64Array;
}

/** Every value of the graph, computed in float64. */
export function interpret(graph: Graph, feeds: Feeds): Tensor64[] {
  const env: Tensor64[] = [];
  const set = (id: number, data: Float64Array) => {
    const shape = graph.values[id]!.shape;
    if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`internal: %${id} has ${data.length} elements, shape [${shape}]`);
    env[id] = { shape, data };
  };
  set(graph.input, feeds.input);
  set(graph.target, feeds.target);
  graph.params.forEach((p, k) => set(p.value, feeds.params[k]!));
  for (const node of graph.nodes) {
    const ins = node.inputs.map((i) => env[i]!);
    set(node.output, opDef(node.op).eval(ins, node.attrs, graph.values[node.output]!.shape));
  }
  return env;
}

/** The scalar training loss (data + regularizer) in float64. */
export function lossOf(graph: Graph, feeds: Feeds): number {
  return interpret(graph, feeds)[graph.loss]!.data[0]!;
}
