// Every shipped training spec, after a short training run, exported to ONNX and run by an
// independent runtime (ONNX Runtime, CPU): its outputs must match netspec's own prediction
// (runtime/predict.ts, what `netspec predict` prints) on the test rows. A spec whose ops have
// no ONNX rule yet must be refused instead, naming those ops.

import { readdirSync } from "node:fs";
import ort from "onnxruntime-node";
import type { onnx } from "onnx-proto";
import { describe, expect, it } from "vitest";
import { loadAll, type Loaded } from "../../compiler/cli/compile.ts";
import { importCompiled } from "../../compiler/cli/module-loader.ts";
import { decodeOnnx } from "../../compiler/export/onnx-encode.ts";
import { jsonWeights, onnxModel, probabilitiesOf, type ExportInput } from "../../compiler/export/model.ts";
import { ExportError } from "../../compiler/export/rule.ts";
import { neededNodes, toOnnxGraph } from "../../compiler/export/onnx-graph.ts";
import { opDef, ops } from "../../compiler/ops/registry.ts";
import { Rng } from "../../runtime/rng.ts";
import { predict, prepareData, train, type CompiledModule, type DataSpec, type Dataset } from "../../runtime/index.ts";

/**
 * 1e-5 relative, with a floor for outputs far smaller than their row: an output that is what is
 * left of a float32 sum of large terms (numpy_two_layer's 1000-wide products) carries rounding
 * error at the scale of those terms, so it is compared to 1e-5 of its row's largest |output|.
 * Measured: the worst error is 1.8e-6 of the row's largest output (numpy_two_layer), under 7e-7 elsewhere.
 */
const REL = 1e-5;
const MNIST_ROWS = 300;

const trainingSpecs = readdirSync("specs")
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => `specs/${f}`)
  .map((file) => ({ file, loaded: loadAll([file])![0]! }))
  .filter(({ loaded }) => loaded.spec.loss !== null && loaded.spec.data !== null);

/** The ops on the path to the outputs with no ONNX rule (loss and penalty nodes are training-only). */
/** Ops of the inference graph (what the outputs read there) with no ONNX rule. */
const opsWithoutRule = (l: Loaded): string[] => [...new Set(neededNodes(l.planned.forward).filter((n) => !opDef(n.op).onnx).map((n) => n.op))];

interface Trained {
  readonly input: ExportInput;
  /** The rows to compare on, raw (as a CSV holds them) and as the model saw them in training. */
  readonly raw: Dataset;
  readonly prepared: Dataset;
}

async function trainShort(l: Loaded): Promise<Trained> {
  const mod: CompiledModule = await importCompiled(l);
  const limited = { ...l.spec.data!, ...(l.spec.data!.kind === "builtin" && l.spec.data!.builtin === "mnist" ? { limit: MNIST_ROWS } : {}) } as DataSpec;
  const shape = { inputSize: mod.INPUT_SIZE, outputSize: mod.OUTPUT_SIZE, target: mod.TARGET ?? ("vector" as const) };
  const opts = { baseDir: "specs", seed: l.spec.seed, inputSize: l.spec.input, shape };
  const data = prepareData(limited, opts);
  const raw = prepareData({ ...limited, standardize: false }, opts);
  const result = await train(mod, { train: data.train, test: data.test }, { epochs: 3 });
  const meta = { classNames: data.train.classNames, mean: data.standardizer?.mean ?? null, std: data.standardizer?.std ?? null };
  const weights = { params: result.model.params.slice(), state: result.model.state.slice() };
  const input: ExportInput = { spec: l.spec, forward: l.planned.forward, mod, weights, from: "a test run", data: meta };
  // Specs with no test split (numpy_two_layer) are compared on their training rows.
  return { input, raw: raw.test && raw.test.rows > 0 ? raw.test : raw.train, prepared: data.test && data.test.rows > 0 ? data.test : data.train };
}

/** `sample`: the input's per-sample shape (an image model takes [N, H, W, C], as Keras' would). */
async function runOnnx(bytes: Uint8Array, features: Float32Array, rows: number, sample: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", features, [rows, ...sample]) });
  const t = out[session.outputNames[0]!]!;
  return { data: t.data as Float32Array, dims: t.dims };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, width: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let r = 0; r * width < expected.length; r++) {
    let rowScale = 0;
    for (let k = r * width; k < (r + 1) * width; k++) rowScale = Math.max(rowScale, Math.abs(expected[k]!));
    for (let i = r * width; i < (r + 1) * width; i++) {
      const err = Math.abs(actual[i]! - expected[i]!);
      if (!(err <= REL * Math.max(Math.abs(expected[i]!), rowScale, 1e-30))) expect.fail(`${what}[${i}]: ONNX Runtime ${actual[i]}, netspec ${expected[i]} (row scale ${rowScale})`);
    }
  }
}

describe("ONNX export, checked by ONNX Runtime", () => {
  it("finds the shipped training specs", () => {
    expect(trainingSpecs.map((s) => s.file)).toEqual(expect.arrayContaining(["specs/iris.yaml", "specs/mnist_mlp.yaml", "specs/iris_maxout.yaml"]));
  });

  it.each(trainingSpecs)("$file: ONNX Runtime's outputs match netspec predict on the test rows", async ({ loaded }) => {
    const { input, raw, prepared } = await trainShort(loaded);
    const missing = opsWithoutRule(loaded);
    if (missing.length > 0) {
      expect(() => onnxModel(input, { probabilities: false, producerVersion: "test" })).toThrow(new RegExp(missing.map((op) => `'${op}'`).join("|")));
      return;
    }
    const { mod, weights } = input;
    const bytes = onnxModel(input, { probabilities: false, producerVersion: "test" });
    const expected = predict(mod, weights.params, prepared.features, prepared.rows, weights.state).scores;
    const onnx = await runOnnx(bytes, raw.features, raw.rows, mod.INPUTS[0]!.shape);
    expect(onnx.dims).toEqual([raw.rows, mod.OUTPUT_SIZE]);
    expectClose(onnx.data, expected, mod.OUTPUT_SIZE, loaded.spec.name);
    // The batch is dynamic: one row alone gives that row's scores.
    const one = await runOnnx(bytes, raw.features.slice(0, mod.INPUT_SIZE), 1, mod.INPUTS[0]!.shape);
    expectClose(one.data, expected.subarray(0, mod.OUTPUT_SIZE), mod.OUTPUT_SIZE, `${loaded.spec.name}, one row`);
  }, 60_000);

  const softmaxSpecs = trainingSpecs.filter(({ loaded }) => loaded.spec.loss!.op === "softmax_cross_entropy" && opsWithoutRule(loaded).length === 0);
  it.each(softmaxSpecs.slice(0, 2))("$file --probabilities: softmax of netspec's scores", async ({ loaded }) => {
    const { input, raw, prepared } = await trainShort(loaded);
    const { mod, weights } = input;
    const scores = predict(mod, weights.params, prepared.features, prepared.rows, weights.state).scores;
    const c = mod.OUTPUT_SIZE;
    const expected = new Float64Array(scores.length);
    for (let r = 0; r < prepared.rows; r++) {
      const row = Array.from(scores.subarray(r * c, r * c + c));
      const m = Math.max(...row);
      const total = row.reduce((s, v) => s + Math.exp(v - m), 0);
      row.forEach((v, k) => (expected[r * c + k] = Math.exp(v - m) / total));
    }
    const bytes = onnxModel(input, { probabilities: true, producerVersion: "test" });
    const onnx = await runOnnx(bytes, raw.features, raw.rows, mod.INPUTS[0]!.shape);
    expectClose(onnx.data, expected, c, `${loaded.spec.name} probabilities`);
  });

  it("writes a standard model: opset 17, IR 8, input and output named with a dynamic batch N, weights as initializers", async () => {
    const { input } = await trainShort(trainingSpecs.find((s) => s.file === "specs/iris.yaml")!.loaded);
    const model = decodeOnnx(onnxModel(input, { probabilities: false, producerVersion: "test" }));
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([["", 17]]);
    expect(model.producerName).toBe("netspec");
    const dims = (v: onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(model.graph!.input!.map((v) => [v.name, dims(v)])).toEqual([["x", ["N", 4]]]);
    expect(model.graph!.output!.map((v) => [v.name, dims(v)])).toEqual([["y", ["N", 3]]]);
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(["MatMul", "Add", "Relu", "MatMul", "Add"]);
    expect(model.graph!.initializer!.map((t) => [t.name, t.dims!.map(Number)])).toEqual([["W1", [4, 6]], ["b1", [6]], ["W2", [6, 3]], ["b2", [3]]]);
    const meta = Object.fromEntries(model.metadataProps!.map((p) => [p.key, p.value]));
    expect(meta["netspec.class_names"]).toBe(JSON.stringify(["setosa", "versicolor", "virginica"]));
    expect(meta["netspec.outputs"]).toBe("scores");
  });

  it("--format json holds every tensor's layout and its exact float32 values, nested by shape", async () => {
    const { input } = await trainShort(trainingSpecs.find((s) => s.file === "specs/iris_maxout.yaml")!.loaded);
    const doc = JSON.parse(jsonWeights(input)) as { spec: string; preprocessing: { mean: number[] } | null; params: { name: string; path: string; shape: number[]; offset: number; size: number; values: number[][] | number[] }[] };
    expect(doc.spec).toBe("iris_maxout");
    expect(doc.preprocessing!.mean).toHaveLength(4);
    expect(doc.params.map((p) => [p.path, p.shape])).toEqual(input.mod.PARAMS.map((p) => [p.path, p.shape]));
    for (const p of doc.params) {
      const flat = Float32Array.from((p.values as unknown[]).flat() as number[]);
      expect(flat).toEqual(input.weights.params.subarray(p.offset, p.offset + p.size));
      if (p.shape.length === 2) expect(p.values).toHaveLength(p.shape[0]!);
    }
  });

  const fixtures = ["every_op", "every_op_scalar", "every_op_image"].map((name) => loadAll([`test/fixtures/export/${name}.yaml`])![0]!);

  it("every op with an ONNX rule is run by ONNX Runtime in these tests (shipped specs and test/fixtures/export)", () => {
    const exercised = new Set([...trainingSpecs.map((s) => s.loaded), ...fixtures].flatMap((l) => l.planned.forward.nodes.map((n) => n.op)));
    const withRule = Object.values(ops).filter((op) => op.onnx).map((op) => op.name);
    expect(withRule.filter((op) => !exercised.has(op))).toEqual([]);
  });

  it.each([
    ["every_op.yaml (every activation and graph op, batched)", 0],
    ["every_op_image.yaml (conv2d, pools and flatten: NHWC around ONNX's NCHW)", 2],
  ])("test/fixtures/export/%s: ONNX Runtime matches predict on rows that span two batches", async (_name, k) => {
    const l = fixtures[k]!;
    const mod = await importCompiled(l);
    const model = mod.createModel();
    model.init(l.spec.seed);
    const weights = { params: model.params.slice(), state: model.state.slice() };
    const rows = 2 * mod.BATCH - 3;
    const rng = new Rng(7);
    const features = Float32Array.from({ length: rows * mod.INPUT_SIZE }, () => 2 * rng.next() - 1);
    const expected = predict(mod, weights.params, features, rows, weights.state).scores;
    const bytes = onnxModel({ spec: l.spec, forward: l.planned.forward, mod, weights, from: "init", data: null }, { probabilities: false, producerVersion: "test" });
    const onnx = await runOnnx(bytes, features, rows, mod.INPUTS[0]!.shape);
    expectClose(onnx.data, expected, mod.OUTPUT_SIZE, l.spec.name);
  });

  it("test/fixtures/export/every_op_scalar.yaml (reductions and indexing, no batch): ONNX Runtime matches the module", async () => {
    const l = fixtures[1]!;
    const mod = await importCompiled(l);
    const model = mod.createModel();
    model.init(l.spec.seed);
    model.input.set([0.5, -1.25, 2, 0.75]);
    model.forward();
    const bytes = onnxModel({ spec: l.spec, forward: l.planned.forward, mod, weights: { params: model.params, state: model.state }, from: "init", data: null }, { probabilities: false, producerVersion: "test" });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor("float32", Float32Array.of(0.5, -1.25, 2, 0.75), [4]) });
    expect(out.y!.dims).toEqual([]);
    expectClose(out.y!.data as Float32Array, model.output.subarray(0, 1), 1, "every_op_scalar");
  });

  it("refuses an op with no ONNX rule, naming it and the spec node that uses it", () => {
    const l = trainingSpecs.find((s) => s.file === "specs/iris.yaml")!.loaded;
    // relu_grad is a real registered op with no ONNX form: stands for a new op whose rule is not written yet.
    const g = l.planned.forward;
    const graph = { ...g, nodes: g.nodes.map((n) => (n.op === "relu" ? { ...n, op: "relu_grad", inputs: [n.inputs[0]!, n.inputs[0]!] } : n)) };
    const request = { graph, name: "iris", tensor: () => new Float32Array(0), probabilities: null, standardize: null };
    expect(() => toOnnxGraph(request)).toThrow(ExportError);
    expect(() => toOnnxGraph(request)).toThrow("no ONNX export rule for op 'relu_grad' (in layers[0])");
  });

  it("--probabilities is refused for losses whose scores are not probabilities, naming the loss", () => {
    const maxout = trainingSpecs.find((s) => s.file === "specs/iris_maxout.yaml")!.loaded.spec;
    expect(() => probabilitiesOf(maxout)).toThrow("--probabilities: the loss hinge gives scores, not probabilities (softmax_cross_entropy and sigmoid_cross_entropy have them)");
    expect(() => probabilitiesOf(fixtures[1]!.spec)).toThrow("the spec has no loss");
  });
});
