// Every differentiable op is gradient-checked: generated float32 code against float64
// central finite differences of the interpreter, inside a small network that uses it (or,
// for the graph-math ops, a hand-built graph: test/helpers/math-graphs.ts).
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../compiler/backend.ts";
import { lower } from "../../compiler/lower.ts";
import { activations, differentiableOps, losses, opDef } from "../../compiler/ops/registry.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import type { LayerSpec, Spec } from "../../compiler/spec/types.ts";
import { gradCheck } from "../helpers/gradcheck.ts";
import { mathCases } from "../helpers/math-graphs.ts";
import { batchNormLayer, dropoutLayer, layer, makeSpec } from "../helpers/specs.ts";
import { convCases } from "../helpers/conv-graphs.ts";

/** Image layers as normalize makes them. */
function conv(w: { filters: number; kernel: [number, number]; stride: [number, number]; padding: "valid" | "same" }, activation: string): LayerSpec {
  return { ...layer(w.filters, activation), kind: "conv2d", window: { kernel: w.kernel, stride: w.stride, padding: w.padding } };
}
function pool(kind: "max_pool" | "avg_pool", kernel: [number, number], stride: [number, number]): LayerSpec {
  return { ...layer(0), kind, bias: false, regularize: 0, window: { kernel, stride, padding: "valid" } };
}

/** A graph spec (its front end checked), for the ops only a graph can write. */
function graphSpec(text: string): Spec {
  const r = checkSpec(["netspec: 1", "name: g", ...text.split("\n")].join("\n"), "g.yaml");
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n"));
  return r.spec;
}

const lossAttrs: Record<string, Record<string, number | string>> = { hinge: { margin: 1 }, squared_error: { reduction: "sum" } };

const cases: [string, Spec][] = [
  ...Object.keys(activations).map((a): [string, Spec] => [
    `activation ${a}`,
    makeSpec({ layers: [layer(5, a), layer(3)] }),
  ]),
  ...Object.keys(losses).map((l): [string, Spec] => [
    `loss ${l}`,
    makeSpec({ layers: [layer(5, "tanh"), layer(3)], loss: { op: l, attrs: lossAttrs[l] ?? {} } }),
  ]),
  ["squared_error mean", makeSpec({ layers: [layer(3, "sigmoid")], loss: { op: "squared_error", attrs: { reduction: "mean" } } })],
  ["regularizers l1 + l2 (elastic net), biases too", makeSpec({
    layers: [layer(5, "elu", { regularize: 2, regularizeBias: 1 }), layer(3, "identity", { regularize: 0.5 })],
    regularizer: { l1: 0.05, l2: 0.3 },
  })],
  ["maxout, no bias", makeSpec({ layers: [{ ...layer(4), kind: "maxout", pieces: 3 }, layer(3, "identity", { bias: false })] })],
  ["inputs with zeros, odd batch (gathered sparse kernels, their one-row tail)", makeSpec({ input: 9, layers: [layer(35, "relu"), layer(3)], regularizer: { l1: 0, l2: 0.01 }, train: { batch: 7, epochs: 1, shuffle: true, stop_below: null, early_stopping: null } })],
  ["deep mixed", makeSpec({ layers: [layer(7, "softplus"), layer(6, "leaky_relu"), layer(5, "sigmoid"), layer(4)] })],
  ["math on scalars and vectors: const, sub, mul, div, neg, exp, log, index, scalar broadcasting", graphSpec([
    "inputs: { x: [3], y: [] }",
    "params: { w: [3] }",
    "graph:",
    "  a: w[0] * x[1] - y / (x[2] * x[2] + 1)",
    "  b: exp(-a) + log(y * y + 0.5) - w / 2",
    "  out: sum(b * x) * 2.5",
    "output: out",
  ].join("\n"))],
  ["reductions: sum, mean, max", graphSpec([
    "inputs: { x: [4] }",
    "params: { w: [4] }",
    "graph:",
    "  h: tanh(x * w) + 1",
    "  out: sum(h) - mean(h * h) + max(h * x)",
    "output: out",
  ].join("\n"))],
  // swish's derivative reads its input x (the others read y): fused into a product's epilogue
  // in `activation swish` above, and emitted on its own here.
  ["swish on its own (its derivative reads x)", graphSpec([
    "inputs: { x: [3] }",
    "params: { w: [3] }",
    "graph:",
    "  out: sum(swish(x * w - 0.5))",
    "output: out",
  ].join("\n"))],
  // The mask is drawn from the layer's PRNG stream, which the reference reads as an input:
  // every finite-difference evaluation sees the same mask the module drew.
  ["dropout (mask fixed), between dense layers", makeSpec({ layers: [layer(7, "tanh"), dropoutLayer(0.4, 7), layer(3)], train: { batch: 6, epochs: 1, shuffle: false, stop_below: null, early_stopping: null } })],
  ["batch_norm (batch statistics), relu, dropout, no bias before it", makeSpec({
    layers: [layer(6, "identity", { bias: false }), batchNormLayer(6, "relu"), dropoutLayer(0.2, 6), layer(3)],
    train: { batch: 8, epochs: 1, shuffle: false, stop_below: null, early_stopping: null },
  })],
  ["batch_norm on the input (no dx), then on a hidden layer", makeSpec({
    layers: [batchNormLayer(4), layer(5, "sigmoid"), batchNormLayer(5, "tanh", { momentum: 0.3, eps: 1e-3 }), layer(3)],
  })],
  ["dropout and batch_norm called from a graph", graphSpec([
    "inputs: { x: [4] }",
    "graph:",
    "  h: batch_norm(dense(x, 6), 0.2)",
    "  d: dropout(tanh(h), 0.5)",
    "  scores: dense(d, 3)",
    "output: scores",
    "loss: softmax_cross_entropy",
    "train: { batch: 7 }",
  ].join("\n"))],
  ["a CNN from layers: (conv2d same/stride 2 relu, max_pool, conv2d valid tanh, avg_pool, implicit flatten, dense)", makeSpec({
    input: 6 * 7 * 1,
    inputShape: [6, 7, 1],
    layers: [
      conv({ filters: 4, kernel: [3, 2], stride: [2, 2], padding: "same" }, "relu"),
      pool("max_pool", [2, 2], [1, 1]),
      conv({ filters: 3, kernel: [2, 2], stride: [1, 1], padding: "valid" }, "tanh"),
      pool("avg_pool", [1, 2], [1, 1]),
      layer(3),
    ],
    regularizer: { l1: 0, l2: 0.01 },
  })],
  ["conv2d with swish (an activation whose derivative reads x: not fused)", graphSpec([
    "inputs: { x: [5, 4, 2] }",
    "graph:",
    "  c: conv2d(x, 3, 2, swish)",
    "  scores: dense(flatten(c), 3)",
    "output: scores",
    "loss: softmax_cross_entropy",
    "train: { batch: 3 }",
  ].join("\n"))],
  ["a CNN as a graph: conv2d(…, same), max_pool, avg_pool, dense(flatten(…))", graphSpec([
    "inputs: { x: [7, 5, 2] }",
    "graph:",
    "  c: conv2d(x, 3, 3, relu, 1, same)",
    "  p: max_pool(c, 2, 1)",
    "  q: avg_pool(p, 2)",
    "  scores: dense(flatten(q), 3)",
    "output: scores",
    "loss: softmax_cross_entropy",
    "train: { batch: 4 }",
  ].join("\n"))],
  ["one output, one row", makeSpec({ input: 2, layers: [layer(1, "tanh")], loss: { op: "mse", attrs: {} }, train: { batch: 1, epochs: 1, shuffle: false, stop_below: null, early_stopping: null } })],
];

describe.each(BACKENDS)("gradient check of every op, %s backend", (backend) => {
  it.each(cases)("%s", async (_name, spec) => {
    const check = await gradCheck(spec, { backend });
    expect(check.forward).toBeLessThan(1e-5);
    expect(check.reference).toBeLessThan(1e-5);
    expect(check.generated).toBeLessThan(1e-3);
  });
});

describe("gradient check of every op", () => {
  it("covers every registered differentiable op", () => {
    // Spec-lowered networks here, hand-built graphs in math-ops.test.ts and conv-ops.test.ts.
    const graphs = [...cases.map(([, spec]) => lower(spec)), ...mathCases.map((c) => c.graph), ...convCases.map((c) => c.graph)];
    const used = new Set(graphs.flatMap((g) => g.nodes.map((n) => n.op)));
    // identity is skipped by lowering; it is checked as an op on its own below.
    const missing = Object.keys(differentiableOps).filter((op) => !used.has(op) && op !== "identity");
    expect(missing).toEqual([]);
  });

  it("the emitted tanh is within float32 accuracy of Math.tanh everywhere", () => {
    const [helper] = activations.tanh.helpers!({});
    const tanh32 = new Function(...helper!.parameters, helper!.statements.join("\n")) as (x: number) => number;
    let worst = 0;
    for (let x = -20; x <= 20; x += 1e-3) worst = Math.max(worst, Math.abs(tanh32(x) - Math.tanh(x)) / Math.max(Math.abs(Math.tanh(x)), 1e-30));
    expect(worst).toBeLessThan(3e-7);
    expect(tanh32(0)).toBe(0);
    expect(tanh32(-0.7)).toBe(-tanh32(0.7));
    expect([tanh32(100), tanh32(-100)]).toEqual([tanh32(8), -tanh32(8)]);
  });

  it("swish's gradient op reads the input: f′(0) = 1/2, f′(x) from the float64 formula", () => {
    const backward = opDef("swish_grad");
    const xs = Float64Array.of(0, 2, -3);
    const dy = { shape: [1, 3], data: Float64Array.of(1, 1, 2) };
    const sigma = (x: number) => 1 / (1 + Math.exp(-x));
    const got = backward.eval([dy, { shape: [1, 3], data: xs }], {}, [1, 3], "train");
    expect(got[0]).toBeCloseTo(0.5, 12);
    expect(got[1]).toBeCloseTo(sigma(2) + 2 * sigma(2) * (1 - sigma(2)), 12);
    expect(got[2]).toBeCloseTo(2 * (sigma(-3) - 3 * sigma(-3) * (1 - sigma(-3))), 12);
  });

  it("identity's derivative is 1 everywhere", () => {
    const backward = opDef("identity_grad");
    const dy = { shape: [1, 3], data: Float64Array.of(0.5, -2, 7) };
    const x = { shape: [1, 3], data: Float64Array.of(-2, 0, 5) };
    expect([...backward.eval([dy, x], {}, [1, 3], "train")]).toEqual([0.5, -2, 7]);
  });
});
