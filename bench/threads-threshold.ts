// Where do 2 threads start to win? Times one thread against `train --threads 2`'s threaded
// model on MLPs of growing width (batch 32, tanh, mse), in alternating short windows, and
// prints the best window of each (the one least disturbed by other work: on a shared machine
// a median mixes in the neighbours) and their ratio per FLOPs per step — what
// compiler/shard.ts's MIN_SHARD_FLOPS rests on (with `wasm`: the wasm modules, sharded).
//
//   node --import tsx bench/threads-threshold.ts [seconds-per-window] [windows] [js|wasm]

import type { BackendName } from "../compiler/backend.ts";
import { planSpec } from "../compiler/compile.ts";
import { importCompiled } from "../compiler/cli/module-loader.ts";
import { startThreads } from "../compiler/cli/threads.ts";
import { flops } from "../compiler/explain.ts";
import type { Spec } from "../compiler/spec/types.ts";
import { Worker } from "node:worker_threads";
import { optimizers, STEP, stepRecord, type CompiledModule, type Model } from "../runtime/index.ts";

const seconds = Number(process.argv[2] ?? 0.1);
const windows = Number(process.argv[3] ?? 15);
const backend = (process.argv[4] ?? "js") as BackendName;
const WIDTHS = [8, 16, 32, 48, 64, 96, 128, 256];

function mlp(width: number): Spec {
  const dense = (units: number, act: string) => ({
    kind: "dense" as const, units, pieces: 1, activation: { op: act, attrs: {} }, bias: true,
    init: { weights: { kind: "glorot_uniform" as const }, biases: { kind: "zeros" as const } }, regularize: 1, regularizeBias: 0,
  });
  return {
    netspec: 1, name: `mlp${width}`, input: width, graph: null,
    layers: [dense(width, "tanh"), dense(width, "tanh"), dense(width, "tanh"), dense(10, "identity")],
    init: { weights: { kind: "glorot_uniform" }, biases: { kind: "zeros" } },
    loss: { op: "mse", attrs: {} }, regularizer: { l1: 0, l2: 0 }, seed: 1,
    optimizer: { rule: { kind: "sgd", momentum: 0.9, nesterov: false }, lr: 0.01, schedule: { kind: "constant" }, warmup: 0, clip_norm: null },
    train: { batch: 32, epochs: 1, shuffle: false, stop_below: null, early_stopping: null }, data: null,
  } as unknown as Spec;
}

/** Steps/s of one window, and the process's CPU µs per step in it (every thread's). */
function rate(mod: CompiledModule, model: Model, cpu: number[] = []): number {
  const v = new Float32Array(mod.PARAM_COUNT);
  const at = stepRecord();
  at[STEP.lr] = 0.001;
  for (let i = 0; i < model.input.length; i++) model.input[i] = Math.sin(i);
  for (let i = 0; i < model.target.length; i++) model.target[i] = Math.cos(i);
  let steps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now(), end = t0 + seconds * 1000;
  let now = t0;
  while (now < end) {
    for (let k = 0; k < 20; k++) {
      model.forward();
      model.lossTerms();
      model.backward();
      optimizers.sgd.step(model.params, model.grads, [v], { momentum: 0.9, nesterov: false }, at);
    }
    steps += 20;
    now = performance.now();
  }
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / steps);
  return steps / ((now - t0) / 1000);
}

/** The threaded step's synchronization alone: wake a worker through Atomics and wait until it answers. */
async function roundTrip(): Promise<number[]> {
  const sab = new SharedArrayBuffer(16), c = new Int32Array(sab);
  const w = new Worker(`
    const c = new Int32Array(require("node:worker_threads").workerData); let seen = 0;
    for (;;) { Atomics.wait(c, 0, seen); const s = Atomics.load(c, 0); if (s === seen) continue; seen = s;
      if (c[2]) break; Atomics.add(c, 1, 1); Atomics.notify(c, 1); }`, { eval: true, workerData: sab });
  await new Promise((r) => setTimeout(r, 100));
  const us: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const t0 = performance.now();
    Atomics.store(c, 1, 0);
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    for (let d = Atomics.load(c, 1); d < 1; d = Atomics.load(c, 1)) Atomics.wait(c, 1, d);
    us.push((performance.now() - t0) * 1000);
  }
  Atomics.store(c, 2, 1);
  Atomics.add(c, 0, 1);
  Atomics.notify(c, 0);
  await new Promise((r) => w.once("exit", r));
  return us.sort((a, b) => a - b);
}

const rt = await roundTrip();
process.stdout.write(`Atomics round trip main → worker → main, 20,000 times: median ${rt[10000]!.toFixed(1)} µs, 90th percentile ${rt[18000]!.toFixed(1)} µs\n\n`);
process.stdout.write(`Backend: ${backend}.\n\n`);
process.stdout.write("| width | MFLOP/step | FLOP/param | 1 thread, best steps/s | 2 threads, best steps/s | 2 ÷ 1 | CPU µs/step, 1 thread | CPU µs/step, 2 threads (both) |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
for (const width of WIDTHS) {
  const spec = mlp(width);
  const loaded = { file: `${spec.name}.yaml`, spec, hash: "threshold", planned: planSpec(spec) };
  const mod = await importCompiled(loaded, backend);
  const one = mod.createModel(), two = await startThreads(loaded, mod, 2, backend);
  one.init(1);
  two.init(1);
  rate(mod, one), rate(mod, two); // warm-up
  const r1: number[] = [], r2: number[] = [], c1: number[] = [], c2: number[] = [];
  for (let rep = 0; rep < windows; rep++) {
    r1.push(rate(mod, one, c1));
    r2.push(rate(mod, two, c2));
  }
  await two.close();
  const best = (xs: number[]) => Math.max(...xs);
  const f = flops(loaded.planned.graph) / 1e6;
  process.stdout.write(`| ${width} | ${f.toFixed(3)} | ${Math.round((f * 1e6) / mod.PARAM_COUNT)} | ${Math.round(best(r1))} | ${Math.round(best(r2))} | ${(best(r2) / best(r1)).toFixed(2)} | ${Math.min(...c1).toFixed(1)} | ${Math.min(...c2).toFixed(1)} |\n`);
}
