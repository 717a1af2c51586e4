// `train --threads N`: the threaded model (runtime/threads/) against the one-thread module it
// splits. Determinism (same thread count, same bits), agreement with one thread to float32
// rounding (the bound is measured and stated below), mean vs sum losses with a regularizer,
// and the refusals. Tiny models and few steps: each case takes well under a second.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BACKENDS, type BackendName } from "../../compiler/backend.ts";
import { planSpec } from "../../compiler/compile.ts";
import { importCompiled } from "../../compiler/cli/module-loader.ts";
import { startThreads, threadsRefusal } from "../../compiler/cli/threads.ts";
import type { PlannedSpec } from "../../compiler/cli/compile.ts";
import { chooseThreads, MIN_SHARD_FLOPS, shardRefusal } from "../../compiler/shard.ts";
import { checkSpec } from "../../compiler/spec/index.ts";
import type { Spec } from "../../compiler/spec/types.ts";
import type { CompiledModule, Model } from "../../runtime/module.ts";
import { Rng } from "../../runtime/rng.ts";
import { optimizers, STEP, stepRecord } from "../../runtime/index.ts";
import type { ThreadedModel } from "../../runtime/threads/model.ts";
import { layer, makeSpec } from "../helpers/specs.ts";

const BATCH = 12;
const mean = makeSpec({
  name: "thr_mean", input: 5, layers: [layer(7, "tanh"), layer(4, "relu"), layer(3)],
  regularizer: { l1: 0, l2: 0.01 }, train: { batch: BATCH, epochs: 1, shuffle: true, stop_below: null, early_stopping: null },
});
// A summed loss: the shards' gradients add up, and only shard 0 may carry the penalty.
const sum = makeSpec({
  ...mean, name: "thr_sum", loss: { op: "squared_error", attrs: { reduction: "sum" } },
});

const loadedOf = (spec: Spec): PlannedSpec => ({ file: `${spec.name}.yaml`, spec, hash: "test", planned: planSpec(spec) });

const open: ThreadedModel[] = [];
afterAll(async () => {
  await Promise.all(open.map((m) => m.close()));
});

async function setup(spec: Spec, threads: number, backend: BackendName = "js"): Promise<{ mod: CompiledModule; model: Model }> {
  const loaded = loadedOf(spec);
  const mod = await importCompiled(loaded, backend);
  if (threads === 1) return { mod, model: mod.createModel() };
  const model = await startThreads(loaded, mod, threads, backend);
  open.push(model);
  return { mod, model };
}

/** A fixed batch sequence: batch i's inputs and targets from a seeded stream. */
function loadBatch(mod: CompiledModule, model: Model, i: number): void {
  const rng = new Rng(1000 + i);
  for (let j = 0; j < model.input.length; j++) model.input[j] = 2 * rng.next() - 1;
  if (model.target instanceof Int32Array) for (let j = 0; j < BATCH; j++) model.target[j] = Math.floor(rng.next() * mod.OUTPUT_SIZE);
  else for (let j = 0; j < model.target.length; j++) model.target[j] = 2 * rng.next() - 1;
}

/** `steps` SGD steps with momentum from init(seed); the final params and last loss. */
function run(mod: CompiledModule, model: Model, steps: number): { params: Float32Array; loss: number; grads: Float32Array } {
  model.init(3);
  const velocity = new Float32Array(mod.PARAM_COUNT);
  const at = stepRecord();
  at[STEP.lr] = 0.05;
  let loss = NaN;
  for (let i = 0; i < steps; i++) {
    loadBatch(mod, model, i);
    model.forward();
    loss = model.loss();
    model.backward();
    optimizers.sgd.step(model.params, model.grads, [velocity], { momentum: 0.9, nesterov: false }, at);
  }
  return { params: model.params.slice(), loss, grads: model.grads.slice() };
}

/** Gradients at init(3) on batch 0. */
function gradsAtInit(mod: CompiledModule, model: Model): { grads: Float32Array; parts: number[] } {
  model.init(3);
  loadBatch(mod, model, 0);
  model.forward();
  model.lossTerms();
  model.backward();
  return { grads: model.grads.slice(), parts: [...model.lossParts] };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
/** max |a − b| ÷ max |b|: the disagreement relative to the gradient's scale. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

// Measured (2–4 threads, both losses): gradients differ from one thread's by at most 1.4e-7
// of their largest entry — about one float32 ulp (2⁻²³ ≈ 1.2e-7): the shards sum their rows
// in another order, and combining the shards rounds once more. After 30 momentum steps the
// weights differ by at most 1.7e-6 of the largest weight (rounding differences compound).
// The bounds leave a margin of ~7–10×; a wrong combination (a missing 1/N, a penalty counted
// twice) is off by 1e-3 or more.
const GRAD_BOUND = 1e-6;
const PARAM_BOUND = 1.5e-5;

describe.each([
  ["mean loss", mean],
  ["sum loss", sum],
])("threaded training, %s", (_name, spec) => {
  // Each shard runs the backend's own module (a wasm shard has its own memory), against one thread of the same backend.
  it.each(BACKENDS.flatMap((backend) => [2, 3].map((threads) => ({ backend, threads }))))("agrees with one thread to float32 rounding ($threads threads, $backend)", async ({ backend, threads }) => {
    const one = await setup(spec, 1, backend);
    const many = await setup(spec, threads, backend);
    const g1 = gradsAtInit(one.mod, one.model), gN = gradsAtInit(many.mod, many.model);
    expect(relDiff(gN.grads, g1.grads)).toBeLessThan(GRAD_BOUND);
    expect(gN.parts[0]).toBeCloseTo(g1.parts[0]!, 6);
    expect(gN.parts[1]).toBe(g1.parts[1]); // the penalty is shard 0's: the same weights, the same code
    const r1 = run(one.mod, one.model, 30), rN = run(many.mod, many.model, 30);
    expect(relDiff(rN.params, r1.params)).toBeLessThan(PARAM_BOUND);
    expect(Math.abs(rN.loss - r1.loss) / r1.loss).toBeLessThan(1e-5);
  });

  it("gives the same bits on every run with the same thread count", async () => {
    const a = await setup(spec, 2), b = await setup(spec, 2);
    const ra = run(a.mod, a.model, 20), rb = run(b.mod, b.model, 20), again = run(a.mod, a.model, 20);
    expect(bits(rb.params)).toEqual(bits(ra.params));
    expect(bits(again.params)).toEqual(bits(ra.params));
    expect(rb.loss).toBe(ra.loss);
  });
});

it("counts the regularizer once for a sum loss (the naive sum of penalized shards would not)", async () => {
  const one = await setup(sum, 1), two = await setup(sum, 2);
  const g1 = gradsAtInit(one.mod, one.model).grads, g2 = gradsAtInit(two.mod, two.model).grads;
  // The same gradient with the penalty's gradient (λW) added once more is far outside the bound.
  const W = one.mod.PARAMS[0]!, doubled = g1.slice();
  for (let i = 0; i < W.size; i++) doubled[W.offset + i] += 0.01 * one.model.params[W.offset + i]!;
  expect(relDiff(doubled, g1)).toBeGreaterThan(1e-4);
  expect(relDiff(g2, g1)).toBeLessThan(GRAD_BOUND);
});

it("evaluates and infers on the full batch with the shared weights", async () => {
  const one = await setup(mean, 1), two = await setup(mean, 2);
  for (const m of [one, two]) {
    run(m.mod, m.model, 5);
    loadBatch(m.mod, m.model, 7);
    m.model.evaluate(BATCH);
  }
  expect(two.model.lossParts[0]).toBeCloseTo(one.model.lossParts[0]!, 5);
  expect(relDiff(two.model.output, one.model.output)).toBeLessThan(PARAM_BOUND);
});

describe("refusals", () => {
  const loaded = loadedOf(mean);
  it("refuses a batch the thread count does not divide, and says what would work", () => {
    expect(threadsRefusal(loaded, 5)).toBe(
      "thr_mean.yaml: --threads 5: train.batch 12 is not divisible by 5 threads: each thread needs the same number of rows (try --threads 4, or a batch that 5 divides)",
    );
    expect(threadsRefusal(loaded, 1)).toBeNull();
    expect(threadsRefusal(loaded, 4)).toBeNull();
  });

  it("refuses state kept across steps (running statistics)", () => {
    const g = loaded.planned.graph;
    const withState = { ...loaded.planned, graph: { ...g, state: [{ value: g.params[0]!.value, owner: "layers[0]", role: "running_mean", fill: 0 }] } };
    expect(shardRefusal(mean, withState, 2)).toMatch(/keeps state across steps \(W1\): every thread would update its own copy/);
  });

  it("refuses an op that combines the rows of a batch before the loss", () => {
    const g = loaded.planned.graph;
    // The first forward node's output made row-independent of the batch: what a mean over rows is.
    const first = g.nodes.find((n) => n.phase === "forward")!;
    const values = g.values.map((v) => (v.id === first.output ? { ...v, batched: false } : v));
    const mixing = { ...loaded.planned, graph: { ...g, values } };
    expect(shardRefusal(mean, mixing, 2)).toMatch(/^layers\[0\] \(\w+\) combines the rows of a batch before the loss/);
  });

  it("the default uses threads only where a shard has enough work", () => {
    expect(chooseThreads(mean, loaded.planned, 2)).toMatchObject({ threads: 1 });
    expect(chooseThreads(mean, loaded.planned, 2).why).toMatch(/too little work to split/);
    const big = makeSpec({ ...mean, input: 400, layers: [layer(400, "relu"), layer(10)], train: { ...mean.train, batch: 64 } });
    const planned = planSpec(big);
    expect(chooseThreads(big, planned, 2)).toMatchObject({ threads: 2 });
    expect(chooseThreads(big, planned, 1)).toMatchObject({ threads: 1 });
    expect(MIN_SHARD_FLOPS).toBeGreaterThan(0);
  });

  it("on wasm, threads only where the work per parameter is high too (a CNN, not a dense network)", () => {
    const big = makeSpec({ ...mean, input: 400, layers: [layer(400, "relu"), layer(10)], train: { ...mean.train, batch: 64 } });
    const dense = chooseThreads(big, planSpec(big), 2, "wasm");
    expect(dense).toMatchObject({ threads: 1 });
    expect(dense.why).toMatch(/^43\.1 MFLOP\/step, 262 FLOP per parameter: too little work to split/);
    const file = "specs/mnist_cnn.yaml";
    const checked = checkSpec(readFileSync(file, "utf8"), file);
    if (!checked.ok) throw new Error("mnist_cnn.yaml does not check");
    expect(chooseThreads(checked.spec, planSpec(checked.spec), 2, "wasm")).toMatchObject({ threads: 2 });
  });
});

// In a child process with --expose-gc (as alloc.test.ts does for one thread): the main
// thread's step — wake the workers, run shard 0, wait, combine, SGD — allocates nothing, on either backend.
it("allocates nothing per step in steady state on the main thread (no GC, flat heap)", () => {
  const script = join(import.meta.dirname, "fixtures/threads-alloc-check.ts");
  const out = execFileSync(process.execPath, ["--expose-gc", "--no-concurrent-recompilation", "--import", "tsx", script], {
    encoding: "utf8", cwd: join(import.meta.dirname, "../.."), timeout: 60_000,
  });
  const results = JSON.parse(out) as Record<string, { gcEvents: number; heapGrowth: number; steps: number }>;
  expect(Object.keys(results).sort()).toEqual([...BACKENDS].sort());
  for (const [backend, r] of Object.entries(results)) {
    expect({ backend, gc: r.gcEvents }).toEqual({ backend, gc: 0 });
    expect(r.heapGrowth, backend).toBeLessThan(32 * 1024); // one boxed double a step would be 64 KB
  }
}, 60_000);
