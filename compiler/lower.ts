// lower: Spec → Graph. The spec's nodes (a `layers:` list is sugar for a chain of them) are
// lowered one at a time by their layer op, which creates the parameters and state it owns;
// then the loss, the regularizer terms and their sum. Shapes are static: the batch is fixed.

import { GraphBuilder } from "./ir/builder.ts";
import type { Graph, ParamInfo, Port, StateInfo } from "./ir/types.ts";
import type { LayerContext } from "./ops/layer.ts";
import { layers, losses } from "./ops/registry.ts";
import { modelNodes, type ModelNode } from "./spec/nodes.ts";
import type { Spec } from "./spec/types.ts";

export interface LowerOptions {
  /** Inputs measured to be mostly zeros in the training data (their products gather nonzeros). */
  readonly sparseInputs?: readonly string[];
}

export function lower(spec: Spec, options: LowerOptions = {}): Graph {
  const g = new GraphBuilder();
  const batch = spec.train.batch;
  const params: ParamInfo[] = [];
  const state: StateInfo[] = [];
  const notes: Record<string, string> = {};

  const inputs: Port[] = [{ name: "x", value: g.leaf("input", "x", [batch, spec.input], "f32", true, options.sparseInputs?.includes("x")) }];
  const env = new Map(inputs.map((p) => [p.name, p.value]));
  const nodes = modelNodes(spec);
  const named: Port[] = [];
  for (const node of nodes) {
    g.path = node.path;
    const def = layers[node.op];
    const ins = node.inputs.map((name) => env.get(name)!);
    const out = def.lower(context(g, node, params, state), ins, node.attrs);
    env.set(node.name, out);
    named.push({ name: node.index !== undefined ? node.path : node.name, value: out });
    notes[node.path] = def.describe(node.attrs, ins.map((i) => g.value(i)));
  }
  const output = env.get(nodes.at(-1)!.name)!;

  g.path = "loss";
  const lossDef = losses[spec.loss.op as keyof typeof losses];
  const outputs = g.value(output).shape[1]!;
  const target =
    lossDef.target === "class"
      ? g.leaf("target", "t", [batch], "i32", true)
      : g.leaf("target", "t", [batch, outputs], "f32", true);
  notes.loss = describeOp(spec.loss.op, spec.loss.attrs);
  const dataLoss = g.add(spec.loss.op, [output, target], spec.loss.attrs, "data_loss");

  g.path = "regularizer";
  notes.regularizer = (["l1", "l2"] as const).filter((k) => spec.regularizer[k] > 0).map((k) => `${k} λ=${spec.regularizer[k]}`).join(" + ");
  const terms: number[] = [];
  for (const p of params) {
    for (const kind of ["l1", "l2"] as const) {
      const lambda = spec.regularizer[kind] * p.regularize;
      if (lambda > 0) terms.push(g.add(kind, [p.value], { lambda }, `${kind}_${g.value(p.value).name}`));
    }
  }
  const regLoss =
    terms.length === 0 ? -1 : terms.reduce((acc, t, k) => g.add("add", [acc, t], {}, k === terms.length - 1 ? "reg_loss" : "reg_sum"));

  return {
    values: g.values,
    nodes: g.nodes,
    inputs,
    targets: [{ name: "t", value: target }],
    outputs: [{ name: "y", value: output }],
    named,
    params,
    state,
    dataLoss,
    regLoss,
    notes,
  };
}

/** What a layer sees while it lowers: everything it creates is owned by its spec path. */
function context(g: GraphBuilder, node: ModelNode, params: ParamInfo[], state: StateInfo[]): LayerContext {
  const owner = node.path;
  return {
    name: (role) => (node.index !== undefined ? `${role}${node.index}` : `${node.name}_${role}`),
    value: (id) => g.value(id),
    add: (op, inputs, attrs, name) => g.add(op, inputs, attrs, name),
    param: (role, name, shape, init, regularize) => {
      const value = g.leaf("param", name, shape, "f32", false);
      params.push({ value, owner, role, init, regularize });
      return value;
    },
    state: (role, name, shape, dtype, fill) => {
      const value = g.leaf("state", name, shape, dtype, false);
      state.push({ value, owner, role, fill });
      return value;
    },
  };
}

const describeOp = (op: string, attrs: Readonly<Record<string, unknown>>): string => {
  const a = Object.entries(attrs).map(([k, v]) => `${k}=${v}`);
  return a.length ? `${op} (${a.join(", ")})` : op;
};
