// Train versus infer for the modal layers. Dropout: infer() is the identity; forward() keeps
// each element with probability 1−p, scaled by 1/(1−p), from a seeded stream kept as state
// (same seed, same mask bits; init(seed) restarts it; a checkpoint resumes it). Batch norm:
// forward() normalizes with the batch's statistics and updates the running ones (checked
// against float64 arithmetic written out here), infer() uses the running ones, row by row.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { interpret } from "../../compiler/interpret.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import type { Spec } from "../../compiler/spec/types.ts";
import { loadCheckpoint } from "../../runtime/checkpoint.ts";
import { trainSync } from "../../runtime/train.ts";
import { load, rng } from "../helpers/gradcheck.ts";
import { batchNormLayer, dropoutLayer, layer, makeSpec } from "../helpers/specs.ts";
import { irisData } from "../runtime/fixtures/iris.ts";

function spec(text: string): Spec {
  const r = checkSpec(["netspec: 1", "name: m", ...text.split("\n")].join("\n"), "m.yaml");
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n"));
  return r.spec;
}

/** A graph whose output is dropout(x, p) itself: fed ones, the output is the mask. */
const maskSpec = (p: number, width: number, batch: number) =>
  spec([`inputs: { x: [${width}] }`, "graph:", `  y: dropout(x, ${p})`, "output: y", "loss: mse", `train: { batch: ${batch} }`].join("\n"));

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");
const randomArray = (n: number, seed: number, scale = 2) => {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale);
};

describe("dropout", () => {
  it("forward() keeps 1−p of the elements, each scaled by exactly 1/(1−p); a new mask every step", async () => {
    const p = 0.3;
    const { mod } = await load(maskSpec(p, 200, 50));
    const model = mod.createModel();
    model.init(11);
    model.input.fill(1);
    const masks: string[] = [];
    for (let step = 0; step < 4; step++) {
      model.forward();
      const out = model.output;
      const kept = out.filter((v) => v !== 0);
      expect(new Set(kept)).toEqual(new Set([Math.fround(1 / (1 - p))]));
      // 10,000 Bernoulli(0.7) draws: within 5 standard deviations (±229) of 7,000.
      expect(Math.abs(kept.length - 7000)).toBeLessThan(5 * Math.sqrt(10000 * p * (1 - p)));
      // Inverted dropout keeps the mean: E[mask] = 1.
      expect(Math.abs(out.reduce((a, b) => a + b, 0) / out.length - 1)).toBeLessThan(0.05);
      masks.push(bits(out));
    }
    expect(new Set(masks).size).toBe(4);
  });

  it("infer() is the identity and does not move the stream", async () => {
    const { mod } = await load(maskSpec(0.5, 16, 8));
    const model = mod.createModel();
    model.init(3);
    model.input.set(randomArray(128, 5));
    const state = bits(model.state);
    model.infer(8);
    expect(bits(model.output)).toBe(bits(model.input));
    expect(bits(model.state)).toBe(state);
  });

  it("infer() of a network with dropout equals the same network without it", async () => {
    const train = { batch: 6, epochs: 1, shuffle: false, stop_below: null, early_stopping: null };
    const withDropout = (await load(makeSpec({ layers: [layer(9, "tanh"), dropoutLayer(0.5, 9), layer(3)], train }))).mod.createModel();
    const without = (await load(makeSpec({ layers: [layer(9, "tanh"), layer(3)], train }))).mod.createModel();
    withDropout.init(2);
    without.params.set(withDropout.params);
    const x = randomArray(24, 8);
    withDropout.input.set(x);
    without.input.set(x);
    withDropout.infer(6);
    without.infer(6);
    expect(bits(withDropout.output)).toBe(bits(without.output));
    withDropout.forward();
    expect(bits(withDropout.output)).not.toBe(bits(without.output));
  });

  it("the same seed gives the same mask bits; init(seed) restarts the stream; the reference draws the same mask", async () => {
    const s = maskSpec(0.5, 64, 4);
    const { mod, compiled } = await load(s);
    const [a, b] = [mod.createModel(), mod.createModel()];
    const run = (m: typeof a, seed: number) => {
      m.init(seed);
      m.input.fill(1);
      m.forward();
      return bits(m.output);
    };
    const first = run(a, 42);
    expect(run(b, 42)).toBe(first);
    expect(run(b, 43)).not.toBe(first);
    a.forward();
    expect(bits(a.output)).not.toBe(first); // the stream moved on
    expect(run(a, 42)).toBe(first); // init restarts it

    // The float64 reference, fed the stream's state after init(42), draws the same mask.
    a.init(42);
    const graph = compiled.graph;
    const env = interpret(graph, { params: [], inputs: [new Float64Array(256).fill(1)], targets: [new Float64Array(256)], state: [Float64Array.from(a.state)] });
    expect(bits(Float32Array.from(env[graph.outputs[0]!.value]!.data))).toBe(first);
  });

  it("two dropout layers draw from different streams", async () => {
    const { mod } = await load(spec(["inputs: { x: [32] }", "graph:", "  y: dropout(x, 0.5) - dropout(x, 0.5)", "output: y", "loss: mse", "train: { batch: 4 }"].join("\n")));
    const model = mod.createModel();
    model.init(1);
    model.input.fill(1);
    model.forward();
    expect(model.output.some((v) => v !== 0)).toBe(true);
    expect(mod.STATE.map((s) => s.path)).toEqual(["y.rng", "y.rng"]);
  });

  it("a checkpoint resumes the masks: 2 + 2 epochs equal 4 epochs, bit for bit", () => {
    return resumeCheck(
      makeSpec({ layers: [layer(8, "relu"), dropoutLayer(0.3, 8), batchNormLayer(8, "tanh"), layer(3)], train: { batch: 10, epochs: 4, shuffle: true, stop_below: null, early_stopping: null } }),
    );
  });
});

/** Trains 4 epochs straight, and 2 then (through a checkpoint file) 2 more: params and state must match exactly. */
async function resumeCheck(s: Spec): Promise<void> {
  const { mod } = await load(s);
  const data = irisData();
  const full = trainSync(mod, data, { epochs: 4 });
  const file = join(mkdtempSync(join(tmpdir(), "netspec-modal-")), "half.nsck");
  trainSync(mod, data, { epochs: 2, save: file });
  const ck = loadCheckpoint(file, { specHash: mod.SPEC_HASH, paramCount: mod.PARAM_COUNT });
  const resumed = trainSync(mod, data, { epochs: 4, resume: ck });
  expect(bits(resumed.model.params)).toBe(bits(full.model.params));
  expect(bits(resumed.model.state)).toBe(bits(full.model.state));
  expect(resumed.history).toEqual(full.history);
  // The checkpoint carried state that training moved: the stream and the running statistics.
  const fresh = mod.createModel();
  fresh.init(mod.TRAINING.seed);
  mod.STATE.forEach((s) => expect(bits(ck.state.subarray(s.offset, s.offset + s.size))).not.toBe(bits(fresh.state.subarray(s.offset, s.offset + s.size))));
}

describe("batch_norm", () => {
  const B = 5, N = 4;
  const bnSpec = (momentum = 0.1) =>
    spec(["inputs: { x: [4] }", "graph:", `  y: batch_norm(x, ${momentum})`, "output: y", "loss: mse", `train: { batch: ${B} }`].join("\n"));

  /** Column j of a row-major [B, N] batch, in float64. */
  const column = (x: Float32Array, j: number) => Array.from({ length: B }, (_, r) => x[r * N + j]!);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const sq = (v: number[], m: number) => v.reduce((a, b) => a + (b - m) ** 2, 0);

  it("forward() normalizes with the batch statistics and updates the running mean and the unbiased running variance", async () => {
    const momentum = 0.1;
    const { mod } = await load(bnSpec(momentum));
    expect(mod.STATE.map((s) => s.path)).toEqual(["y.running_mean", "y.running_var"]);
    expect(mod.PARAMS.map((p) => p.path)).toEqual(["y.gamma", "y.beta"]);
    const model = mod.createModel();
    model.init(0);
    const rm = new Float64Array(N), rv = new Float64Array(N).fill(1);
    for (let step = 0; step < 3; step++) {
      const x = randomArray(B * N, 10 + step, 3).map((v, i) => v + (i % N)); // columns with different means
      model.input.set(x);
      model.forward();
      for (let j = 0; j < N; j++) {
        const col = column(x, j);
        const m = mean(col);
        rm[j] = (1 - momentum) * rm[j]! + momentum * m;
        rv[j] = (1 - momentum) * rv[j]! + momentum * (sq(col, m) / (B - 1));
        // γ = 1, β = 0: each output column has mean 0 and biased variance σ²/(σ² + ε).
        const y = column(model.output, j);
        expect(Math.abs(mean(y))).toBeLessThan(1e-6);
        expect(sq(y, 0) / B).toBeCloseTo(sq(col, m) / B / (sq(col, m) / B + 1e-5), 5);
      }
      const state = Array.from(model.state);
      for (let j = 0; j < N; j++) {
        expect(state[j]).toBeCloseTo(rm[j]!, 6);
        expect(state[N + j]).toBeCloseTo(rv[j]!, 6);
      }
    }
    // The biased variance would have given visibly different running variances (B = 5: ×1.25).
    const x = randomArray(B * N, 20, 3);
    model.init(0);
    model.input.set(x);
    model.forward();
    const col = column(x, 0);
    expect(Math.abs(model.state[N]! - (0.9 + 0.1 * (sq(col, mean(col)) / B)))).toBeGreaterThan(1e-3);
  });

  it("infer() uses the running statistics, each row on its own, and leaves them alone", async () => {
    const { mod, compiled } = await load(bnSpec());
    const model = mod.createModel();
    model.init(0);
    const gamma = randomArray(N, 1), beta = randomArray(N, 2);
    const runningMean = randomArray(N, 3), runningVar = randomArray(N, 4).map((v) => Math.abs(v) + 0.1);
    model.params.set([...gamma, ...beta]);
    model.state.set([...runningMean, ...runningVar]);
    const x = randomArray(B * N, 5, 3);
    model.input.set(x);
    const state = bits(model.state);
    model.infer(B);
    expect(bits(model.state)).toBe(state);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < N; j++) {
        const want = gamma[j]! * (x[r * N + j]! - runningMean[j]!) / Math.sqrt(runningVar[j]! + 1e-5) + beta[j]!;
        expect(model.output[r * N + j]).toBeCloseTo(want, 5);
      }
    }
    // The float64 reference in infer mode agrees; in train mode it does not (batch statistics).
    const g = compiled.graph;
    const feeds = { params: [Float64Array.from(gamma), Float64Array.from(beta)], inputs: [Float64Array.from(x)], targets: [new Float64Array(B * N)], state: [Float64Array.from(runningMean), Float64Array.from(runningVar)] };
    const inferRef = interpret(g, feeds, "infer")[g.outputs[0]!.value]!.data;
    const trainRef = interpret(g, feeds, "train")[g.outputs[0]!.value]!.data;
    inferRef.forEach((v, i) => expect(model.output[i]).toBeCloseTo(v, 5));
    expect(trainRef.some((v, i) => Math.abs(v - inferRef[i]!) > 1e-2)).toBe(true);
    // Rows are independent: what the padding rows of a last partial chunk hold changes nothing.
    const first = bits(model.output.subarray(0, 2 * N));
    model.input.set(randomArray(3 * N, 77, 50), 2 * N);
    model.infer(2);
    expect(bits(model.output.subarray(0, 2 * N))).toBe(first);
  });

  it("the trainer's padded evaluation of the test split equals a row-by-row one", async () => {
    // 75 test rows, batch 10: the last chunk of 5 is padded. Row independence in infer mode
    // makes it exact: compare with a model compiled for batch 1 over the same weights and state.
    const train = { batch: 10, epochs: 3, shuffle: true, stop_below: null, early_stopping: null };
    const layers = [layer(6, "identity", { bias: false }), batchNormLayer(6, "relu"), dropoutLayer(0.2, 6), layer(3)];
    const { mod } = await load(makeSpec({ layers, train }));
    const data = irisData();
    const trained = trainSync(mod, data, {});
    // Batch norm in infer mode at batch 1: compiled with batch 2 and only row 0 read.
    const one = (await load(makeSpec({ layers, train: { ...train, batch: 2 } }))).mod.createModel();
    one.params.set(trained.model.params);
    one.state.set(trained.model.state);
    const test = data.test!;
    let correct = 0;
    for (let r = 0; r < test.rows; r++) {
      one.input.set(test.features.subarray(r * 4, r * 4 + 4));
      one.infer(1);
      const scores = Array.from(one.output.subarray(0, 3));
      if (scores.indexOf(Math.max(...scores)) === test.labels![r]) correct++;
    }
    expect(trained.history.at(-1)!.testAccuracy).toBe(correct / test.rows);
  });
});
