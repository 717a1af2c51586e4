// lower: Spec → Graph. The spec's nodes are lowered one at a time: a layer op (a `layers:`
// list is sugar for a chain of them) creates the parameters and state it owns; a graph
// node's expression becomes ops (lower-graph.ts). Then the loss and the regularizer terms.
// Shapes are static: the batch, when the spec has one, is fixed.

import { GraphBuilder } from "./ir/builder.ts";
import { shapeText, type Graph, type ParamInfo, type Port, type StateInfo, type Value } from "./ir/types.ts";
import type { LayerContext, LayerDef, LayerDefaults } from "./ops/layer.ts";
import { resolveInit } from "./ops/layer.ts";
import { layers, losses } from "./ops/registry.ts";
import { batchedShape, lowerExpr } from "./lower-graph.ts";
import { modelNodes, type ModelNode } from "./spec/nodes.ts";
import type { LayerSpec, Spec } from "./spec/types.ts";

/** A layer of a `layers:` spec that does not fit its input (a user's error: rules.ts reports it at the layer). */
export class LayerError extends Error {
  constructor(readonly index: number, message: string) {
    super(message);
    this.name = "LayerError";
  }
}

/** Why a layer cannot read these inputs (its own check, then its input kind), or null. */
export function layerMisfit(def: LayerDef<LayerSpec>, attrs: LayerSpec, ins: readonly Value[]): string | null {
  const own = def.check?.(attrs, ins);
  if (own) return own;
  const x = ins[0]!;
  if ((def.input ?? "rows") === "rows" && x.shape.length > 2 && !x.batched) return `${def.name} needs rows [batch, n]; got ${shapeText(x.shape)}`;
  return null;
}

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
  const named: Port[] = [];

  const declared = spec.graph ? spec.graph.inputs : [{ name: "x", shape: spec.inputShape ?? [spec.input] }];
  const inputs: Port[] = declared.map((t) => ({
    name: t.name,
    value: g.leaf("input", t.name, batchedShape(t.shape, batch), "f32", batch !== null, options.sparseInputs?.includes(t.name)),
  }));
  const env = new Map(inputs.map((p) => [p.name, p.value]));
  const defaults: LayerDefaults = {
    init: { weights: spec.init.weights, biases: spec.init.biases },
    regularizeBias: spec.regularizer.biases ? 1 : 0,
  };

  let output: number;
  if (spec.graph) {
    g.path = "params";
    for (const p of spec.graph.params) {
      const [fanIn = 1, fanOut = 1] = p.shape.length >= 2 ? p.shape : [p.shape[0] ?? 1, 1];
      const value = g.leaf("param", p.name, p.shape, "f32", false);
      params.push({ value, owner: "params", role: p.name, init: resolveInit(spec.init.weights, fanIn, fanOut), regularize: 1 });
      env.set(p.name, value);
    }
    for (const node of spec.graph.nodes) {
      g.path = node.name;
      const before = g.values.length;
      const layer = context(g, { name: node.name, path: node.name }, params, state);
      const value = lowerExpr({ g, node: node.name, env, layer, defaults }, node.expr);
      // The node's own value takes its name (unless it just names another value: `h: x`).
      if (value >= before) g.rename(value, node.name);
      env.set(node.name, value);
      named.push({ name: node.name, value });
      notes[node.name] = node.source;
    }
    output = env.get(spec.graph.output)!;
  } else {
    for (const node of modelNodes(spec)) {
      g.path = node.path;
      const def = layers[node.op];
      const ins = node.inputs.map((name) => env.get(name)!);
      const misfit = layerMisfit(def, node.attrs, ins.map((i) => g.value(i)));
      if (misfit) throw new LayerError(node.index! - 1, misfit);
      const out = def.lower(context(g, node, params, state), ins, node.attrs);
      env.set(node.name, out);
      named.push({ name: node.path, value: out });
      notes[node.path] = def.describe(node.attrs, ins.map((i) => g.value(i)));
    }
    output = env.get(`h${spec.layers.length}`)!;
  }

  const targets: Port[] = [];
  let dataLoss = output; // no loss: the output is the scalar whose gradients are wanted
  if (spec.loss) {
    g.path = "loss";
    const lossDef = losses[spec.loss.op as keyof typeof losses];
    const out = g.value(output);
    const target = lossDef.target === "class" ? g.leaf("target", "t", [out.shape[0]!], "i32", true) : g.leaf("target", "t", out.shape, "f32", true);
    targets.push({ name: "t", value: target });
    notes.loss = describeOp(spec.loss.op, spec.loss.attrs);
    dataLoss = g.add(spec.loss.op, [output, target], spec.loss.attrs, "data_loss");
  }

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
    targets,
    outputs: [{ name: spec.graph?.output ?? "y", value: output }],
    named,
    params,
    state,
    dataLoss,
    regLoss,
    notes,
  };
}

/** What a layer sees while it lowers: everything it creates is owned by its spec path. */
function context(g: GraphBuilder, node: Pick<ModelNode, "name" | "path" | "index">, params: ParamInfo[], state: StateInfo[]): LayerContext {
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
    stream: (name) => {
      const value = g.leaf("state", name, [2], "f32", false);
      // Streams are numbered in lowering order, so each layer's masks differ from the others'.
      state.push({ value, owner, role: "rng", fill: 0, stream: state.filter((s) => s.stream !== undefined).length + 1 });
      return value;
    },
  };
}

const describeOp = (op: string, attrs: Readonly<Record<string, unknown>>): string => {
  const a = Object.entries(attrs).map(([k, v]) => `${k}=${v}`);
  return a.length ? `${op} (${a.join(", ")})` : op;
};
