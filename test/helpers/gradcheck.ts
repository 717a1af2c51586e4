// Gradient checking: the generated float32 module against float64 central finite
// differences of the reference interpreter, on random parameters, inputs and targets.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BackendName } from "../../compiler/backend.ts";
import { compileSpec, emitBackend, type Compiled } from "../../compiler/compile.ts";
import { interpret, lossOf, type Feeds } from "../../compiler/interpret.ts";
import { only, type TrainGraph } from "../../compiler/ir/types.ts";
import type { Spec } from "../../compiler/spec/types.ts";
import type { CompiledModule } from "../../runtime/module.ts";

/** Where generated test modules are written (the property test type-checks them all). */
export const dir = mkdtempSync(join(tmpdir(), "netspec-test-"));
let version = 0;

/** Compiles a spec and imports the generated module of a backend (a fresh URL each time). */
export async function load(spec: Spec, backend: BackendName = "js"): Promise<{ compiled: Compiled; mod: CompiledModule }> {
  const compiled = compileSpec(spec, "test", `${spec.name}.yaml`);
  const file = join(dir, `${spec.name}_${++version}${backend === "js" ? "" : `.${backend}`}.ts`);
  writeFileSync(file, backend === "js" ? compiled.code : emitBackend(spec, compiled, "test", `${spec.name}.yaml`, backend)[0]!.text);
  const mod = (await import(`${pathToFileURL(file).href}?v=${version}`)) as CompiledModule;
  return { compiled, mod };
}

/** A tiny seeded PRNG so checks are reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random float32-exact feeds for a graph: params, inputs, and valid targets. */
export function randomFeeds(graph: TrainGraph, seed: number, zeros = 0.3): Feeds {
  const next = rng(seed);
  const f32 = (n: number, scale: number) => Float64Array.from(Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale));
  const size = (id: number) => graph.values[id]!.shape.reduce((a, b) => a * b, 1);
  const classes = () => graph.values[only(graph.outputs, "output")]!.shape[1]!;
  return {
    // Weights scaled by 1/√fan-in keep deep nets' activations O(1), where float32 is accurate.
    params: graph.params.map((p) => f32(size(p.value), 1.5 / Math.sqrt(graph.values[p.value]!.shape[0] ?? 1))),
    // Some inputs exactly zero, like pixels: the kernels skip those steps.
    inputs: graph.inputs.map((p) => f32(size(p.value), 1.5).map((v) => (next() < zeros ? 0 : v))),
    targets: graph.targets.map(({ value }) =>
      graph.values[value]!.dtype === "i32"
        ? Float64Array.from({ length: size(value) }, () => Math.floor(next() * classes()))
        : Float64Array.from({ length: size(value) }, () => Math.round(next() * 100) / 100),
    ),
  };
}

export interface Check {
  /** Largest relative error of the generated forward output and loss vs the interpreter. */
  forward: number;
  /** Largest relative error of the generated gradients vs finite differences. */
  generated: number;
  /** Largest relative error of the float64 backward graph vs finite differences. */
  reference: number;
  /** Largest relative error of the generated input gradients (specs with no loss) vs finite differences. */
  inputs: number;
}

/** Relative error; below `floor` in magnitude it turns absolute (a zero gradient's difference quotient is noise). */
const rel = (a: number, b: number, floor: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);

/** Runs the generated module and the interpreter on the same random feeds and compares. */
export async function gradCheck(spec: Spec, { seed = 1, perTensor = Infinity, zeros = 0.3, backend = "js" as BackendName } = {}): Promise<Check> {
  const { compiled, mod } = await load(spec, backend);
  const { graph } = compiled;
  const feeds = randomFeeds(graph, seed, zeros);
  const model = mod.createModel();
  graph.params.forEach((p, k) => model.params.set(feeds.params[k]!, compiled.plan.slots[p.value]!.offset));
  graph.inputs.forEach((p, k) => model.input.set(feeds.inputs[k]!, compiled.plan.slots[p.value]!.offset));
  graph.targets.forEach((p, k) => model.target.set(feeds.targets[k]!, compiled.plan.slots[p.value]!.offset));
  model.forward();
  const loss = model.loss();
  model.backward();

  const env = interpret(graph, feeds);
  const out = env[only(graph.outputs, "output")]!.data;
  const scaleOut = Math.max(...out.map(Math.abs), 1e-3);
  let forward = rel(loss, lossOf(graph, feeds), 1e-6);
  out.forEach((v, i) => (forward = Math.max(forward, Math.abs(v - model.output[i]!) / scaleOut)));

  // Central differences in float64, one element at a time, of every parameter and of every
  // input whose gradient the module computes (specs with no loss).
  const h = 1e-6;
  const errors = { generated: 0, reference: 0, inputs: 0 };
  const compare = (data: Float64Array, indices: Iterable<number>, analytic: Float64Array, emitted: (i: number) => number, into: "generated" | "inputs") => {
    for (const i of indices) {
      const keep = data[i]!;
      data[i] = keep + h;
      const up = lossOf(graph, feeds);
      data[i] = keep - h;
      const down = lossOf(graph, feeds);
      data[i] = keep;
      const fd = (up - down) / (2 * h);
      errors[into] = Math.max(errors[into], rel(emitted(i), fd, 1e-4));
      errors.reference = Math.max(errors.reference, rel(analytic[i]!, fd, 1e-4));
    }
  };
  graph.params.forEach((p, k) => {
    const theta = feeds.params[k] as Float64Array;
    const offset = compiled.plan.slots[p.value]!.offset;
    const pick = rng(seed + k);
    const count = Math.min(theta.length, perTensor);
    const indices = Array.from({ length: count }, (_, n) => (count === theta.length ? n : Math.floor(pick() * theta.length)));
    compare(theta, indices, env[graph.grads[k]!]!.data, (i) => model.grads[offset + i]!, "generated");
  });
  graph.inputs.forEach((port, k) => {
    const gradId = graph.inputGrads[k]!;
    if (gradId < 0) return;
    const x = feeds.inputs[k] as Float64Array;
    compare(x, x.keys(), env[gradId]!.data, (i) => model.inputGrads[port.name]![i]!, "inputs");
  });
  return { forward, ...errors };
}
