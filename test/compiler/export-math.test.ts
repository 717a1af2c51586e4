// The graph-math ops' ONNX rules on every shape their gradient checks use (test/helpers/
// math-graphs.ts: unbatched, batched, a scalar broadcast on either side): ONNX Runtime's
// result must match the float64 interpreter. Batched reductions and indexing cannot reach
// the output of a valid spec yet, so only these hand-built graphs run them.

import ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { encodeOnnx } from "../../compiler/export/onnx-encode.ts";
import { toOnnxGraph } from "../../compiler/export/onnx-graph.ts";
import { ExportError } from "../../compiler/export/rule.ts";
import { interpret } from "../../compiler/interpret.ts";
import { GraphBuilder } from "../../compiler/ir/builder.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { Rng } from "../../runtime/rng.ts";
import { feedsOf, mathCases } from "../helpers/math-graphs.ts";

/** The cases export must refuse, and why: an op with no ONNX form, a fixed tensor the batch's size. */
const REFUSED: Record<string, string> = {
  "sum_all: batched [B,2] input → []": "no ONNX export rule for op 'sum_all'",
  "max with ties: the first maximum of each row takes the gradient": "pairs a batch with the fixed [3×4] tensor P",
};

describe("graph-math ops through ONNX Runtime", () => {
  it.each(mathCases.map((c) => ({ name: c.name, c })))("$name", async ({ c }) => {
    const g = c.graph;
    const feeds = feedsOf(c, (() => { const rng = new Rng(11); return () => rng.next(); })());
    const byName = new Map(g.params.map((p, k) => [g.values[p.value]!.name, Float32Array.from(feeds.params[k]!)]));
    const request = { graph: g, name: "math", tensor: (name: string) => byName.get(name)!, probabilities: null, standardize: null };
    if (Object.hasOwn(REFUSED, c.name)) {
      expect(() => toOnnxGraph(request)).toThrow(ExportError);
      expect(() => toOnnxGraph(request)).toThrow(REFUSED[c.name]!);
      return;
    }
    const bytes = encodeOnnx(toOnnxGraph(request), { producerVersion: "test", doc: c.name, metadata: {} });
    const session = await ort.InferenceSession.create(bytes);
    const inputs = Object.fromEntries(g.inputs.map((p, k) => [p.name, new ort.Tensor("float32", Float32Array.from(feeds.inputs[k]!), [...g.values[p.value]!.shape])]));
    const out = (await session.run(inputs)).y!;
    const y = g.outputs[0]!.value;
    const expected = interpret(g, feeds, "infer")[y]!;
    expect(out.dims).toEqual(expected.shape);
    const scale = Math.max(...expected.data.map(Math.abs), 1e-30);
    Array.from(out.data as Float32Array).forEach((v, i) => expect(Math.abs(v - expected.data[i]!), `${c.name}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(expected.data[i]!), scale * 1e-2)));
  });

  it("state buffers (running statistics, for ops such as batch norm) become initializers with their trained values", async () => {
    const b = new GraphBuilder();
    b.path = "norm";
    const x = b.leaf("input", "x", [2, 3], "f32", true);
    const mean = b.leaf("state", "running_mean", [3], "f32", false);
    const y = b.add("sub", [x, b.add("index", [mean], { i: 1 }, "m1")], {}, "centered");
    const g: Graph = {
      values: b.values, nodes: b.nodes, inputs: [{ name: "x", value: x }], targets: [], outputs: [{ name: "y", value: y }], named: [],
      params: [], state: [{ value: mean, owner: "norm", role: "running_mean", fill: 0 }], dataLoss: y, regLoss: -1, notes: {},
    };
    const trained = Float32Array.of(0.25, -2, 4);
    const onnx = toOnnxGraph({ graph: g, name: "state", tensor: (name) => (name === "running_mean" ? trained : new Float32Array(0)), probabilities: null, standardize: null });
    expect(onnx.initializers.find((t) => t.name === "running_mean")!.values).toEqual(trained);
    const session = await ort.InferenceSession.create(encodeOnnx(onnx, { producerVersion: "test", doc: "", metadata: {} }));
    const out = (await session.run({ x: new ort.Tensor("float32", Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]) })).y!;
    expect(Array.from(out.data as Float32Array)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
