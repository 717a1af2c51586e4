// Where do 2 threads start to win? Times one thread against `train --threads 2`'s threaded
// model on MLPs of growing width (batch 32, tanh, mse), alternating the two, and prints
// steps/s and the ratio per FLOPs per step: what compiler/shard.ts's MIN_SHARD_FLOPS rests on.
//
//   node --import tsx bench/threads-threshold.ts [seconds-per-measurement]
//
// Run it on a quiet machine: under load the scheduler gives two threads two time slices,
// which flatters them.

import { planSpec } from "../compiler/compile.ts";
import { importCompiled } from "../compiler/cli/module-loader.ts";
import { startThreads } from "../compiler/cli/threads.ts";
import { flops } from "../compiler/explain.ts";
import type { Spec } from "../compiler/spec/types.ts";
import { sgdStep, type CompiledModule, type Model } from "../runtime/index.ts";

const seconds = Number(process.argv[2] ?? 0.5);
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
    optimizer: { lr: 0.01, momentum: 0.9, nesterov: false, schedule: { kind: "constant" } },
    train: { batch: 32, epochs: 1, shuffle: false, stop_below: null, early_stopping: null }, data: null,
  } as unknown as Spec;
}

function rate(mod: CompiledModule, model: Model): number {
  const v = new Float32Array(mod.PARAM_COUNT);
  for (let i = 0; i < model.input.length; i++) model.input[i] = Math.sin(i);
  for (let i = 0; i < model.target.length; i++) model.target[i] = Math.cos(i);
  let steps = 0;
  const t0 = performance.now(), end = t0 + seconds * 1000;
  let now = t0;
  while (now < end) {
    for (let k = 0; k < 20; k++) {
      model.forward();
      model.lossTerms();
      model.backward();
      sgdStep(model.params, model.grads, v, 0.001, 0.9, false);
    }
    steps += 20;
    now = performance.now();
  }
  return steps / ((now - t0) / 1000);
}

process.stdout.write("| width | MFLOP/step | 1 thread steps/s | 2 threads steps/s | 2 ÷ 1 |\n|---:|---:|---:|---:|---:|\n");
for (const width of WIDTHS) {
  const spec = mlp(width);
  const loaded = { file: `${spec.name}.yaml`, spec, hash: "threshold", planned: planSpec(spec) };
  const mod = await importCompiled(loaded);
  const one = mod.createModel(), two = await startThreads(loaded, mod, 2);
  one.init(1);
  two.init(1);
  rate(mod, one), rate(mod, two); // warm-up
  const r1: number[] = [], r2: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    r1.push(rate(mod, one));
    r2.push(rate(mod, two));
  }
  await two.close();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  const f = flops(loaded.planned.graph) / 1e6;
  process.stdout.write(`| ${width} | ${f.toFixed(3)} | ${Math.round(med(r1))} | ${Math.round(med(r2))} | ${(med(r2) / med(r1)).toFixed(2)} |\n`);
}
