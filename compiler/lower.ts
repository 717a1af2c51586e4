// lower: Spec → Graph. Each spec layer becomes matmul (+ bias_add) (+ activation | maxout);
// then the loss, the regularizer terms and their sum. Shapes are static: the batch is fixed.

import { GraphBuilder } from "./ir/builder.ts";
import type { Graph, InitRule, ParamInfo } from "./ir/types.ts";
import { losses } from "./ops/registry.ts";
import type { InitSpec, Spec } from "./spec/types.ts";

export function lower(spec: Spec): Graph {
  const g = new GraphBuilder();
  const batch = spec.train.batch;
  const lossDef = losses[spec.loss.op as keyof typeof losses];
  const outputs = spec.layers.at(-1)!.units;

  const input = g.leaf("input", "x", [batch, spec.input], "f32", true);
  const target =
    lossDef.target === "class"
      ? g.leaf("target", "t", [batch], "i32", true)
      : g.leaf("target", "t", [batch, outputs], "f32", true);

  const params: ParamInfo[] = [];
  const notes: Record<string, string> = {};
  let h = input;
  let width = spec.input;
  spec.layers.forEach((layer, i) => {
    const k = i + 1;
    const cols = layer.units * layer.pieces;
    g.path = `layers[${i}]`;
    notes[g.path] =
      layer.kind === "maxout"
        ? `maxout ${width}→${layer.units} (${layer.pieces} pieces)`
        : `dense ${width}→${layer.units}${layer.bias ? "" : " (no bias)"}, ${layer.activation.op}`;
    const w = g.leaf("param", `W${k}`, [width, cols], "f32", false);
    params.push({ value: w, role: "weights", layer: i, init: resolveInit(layer.init.weights, width, cols), regularize: layer.regularize });
    let z = g.add("matmul", [h, w], {}, layer.bias ? `xw${k}` : `z${k}`);
    if (layer.bias) {
      const b = g.leaf("param", `b${k}`, [cols], "f32", false);
      params.push({ value: b, role: "bias", layer: i, init: resolveInit(layer.init.biases, width, cols), regularize: layer.regularizeBias });
      z = g.add("bias_add", [z, b], {}, `z${k}`);
    }
    if (layer.kind === "maxout") h = g.add("maxout", [z], { pieces: layer.pieces }, `h${k}`);
    else if (layer.activation.op !== "identity") h = g.add(layer.activation.op, [z], layer.activation.attrs, `h${k}`);
    else h = z;
    width = layer.units;
  });

  g.path = "loss";
  notes.loss = describeOp(spec.loss.op, spec.loss.attrs);
  const dataLoss = g.add(spec.loss.op, [h, target], spec.loss.attrs, "data_loss");

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
  g.path = "loss";
  const loss = regLoss < 0 ? dataLoss : g.add("add", [dataLoss, regLoss], {}, "total_loss");

  return { values: g.values, nodes: g.nodes, input, target, params, output: h, dataLoss, regLoss, loss, notes };
}

/** Fan-based initialisers (Glorot, He), resolved for a [fanIn, fanOut] weight matrix. */
export function resolveInit(init: InitSpec, fanIn: number, fanOut: number): InitRule {
  switch (init.kind) {
    case "glorot_uniform": {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return { kind: "uniform", min: -limit, max: limit };
    }
    case "glorot_normal":
      return { kind: "normal", mean: 0, std: Math.sqrt(2 / (fanIn + fanOut)) };
    case "he_uniform": {
      const limit = Math.sqrt(6 / fanIn);
      return { kind: "uniform", min: -limit, max: limit };
    }
    case "he_normal":
      return { kind: "normal", mean: 0, std: Math.sqrt(2 / fanIn) };
    default:
      return init;
  }
}

const describeOp = (op: string, attrs: Readonly<Record<string, unknown>>): string => {
  const a = Object.entries(attrs).map(([k, v]) => `${k}=${v}`);
  return a.length ? `${op} (${a.join(", ")})` : op;
};
