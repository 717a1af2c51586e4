// The float64 reference: evaluates a Graph (or TrainGraph) node by node with each op's
// `eval`. Tests compare generated float32 code against it and differentiate it numerically.

import type { EmitMode, Graph, Port } from "./ir/types.ts";
import { lossTerms } from "./ir/types.ts";
import type { Tensor64 } from "./ops/op.ts";
import { opDef } from "./ops/registry.ts";

export interface Feeds {
  /** One array per entry of graph.params, in order. */
  readonly params: readonly Float64Array[];
  /** One array per graph input, in order. */
  readonly inputs: readonly Float64Array[];
  /** Class indices or target rows, one array per graph target, in order. */
  readonly targets: readonly Float64Array[];
  /** One array per entry of graph.state (default: each state's fill value). */
  readonly state?: readonly Float64Array[];
}

/** Every value of the graph, computed in float64. */
export function interpret(graph: Graph, feeds: Feeds, mode: EmitMode = "train"): Tensor64[] {
  const env: Tensor64[] = [];
  const set = (id: number, data: Float64Array) => {
    const shape = graph.values[id]!.shape;
    if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`internal: %${id} has ${data.length} elements, shape [${shape}]`);
    env[id] = { shape, data };
  };
  const feed = (ports: readonly Port[], data: readonly Float64Array[]) => ports.forEach((p, k) => set(p.value, data[k]!));
  feed(graph.inputs, feeds.inputs);
  feed(graph.targets, feeds.targets);
  graph.params.forEach((p, k) => set(p.value, feeds.params[k]!));
  graph.state.forEach((s, k) => {
    const size = graph.values[s.value]!.shape.reduce((a, b) => a * b, 1);
    set(s.value, feeds.state?.[k] ?? new Float64Array(size).fill(s.fill));
  });
  for (const node of graph.nodes) {
    const ins = node.inputs.map((i) => env[i]!);
    set(node.output, opDef(node.op).eval(ins, node.attrs, graph.values[node.output]!.shape, mode));
  }
  return env;
}

/** The scalar training loss (data + regularizer) in float64. */
export function lossOf(graph: Graph, feeds: Feeds): number {
  const env = interpret(graph, feeds);
  return lossTerms(graph).reduce((sum, id) => sum + env[id]!.data[0]!, 0);
}
