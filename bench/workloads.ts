// A workload: one spec turned into everything an engine needs to train it — the layer list,
// the loss, the optimizer, a fixed sequence of batches, the test rows and the initial weights.
// Every child process rebuilds it from the spec with the runtime's own loaders and seeded RNG,
// so each engine sees the same bytes; `checksum` lets the parent verify that it did.

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measureData } from "../compiler/cli/evidence.ts";
import { planSpec } from "../compiler/compile.ts";
import { flops } from "../compiler/explain.ts";
import { loadSpec, type Spec } from "../compiler/spec/index.ts";
import {
  argmaxAt, epochOrder, oneHot, prepareData, shuffleStream, vectorTargets, type BatchSource, type CompiledModule, type Dataset,
} from "../runtime/index.ts";

export const WORKLOADS = ["iris", "mnist_mlp", "deep_tanh", "mnist_cnn"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const specFile = (name: WorkloadName): string => resolve(ROOT, "specs", `${name}.yaml`);

// Static imports (not a template string) so tsc checks each generated module against the
// runtime's CompiledModule shape.
const MODULES: Record<WorkloadName, () => Promise<CompiledModule>> = {
  iris: () => import("../generated/iris.ts"),
  mnist_mlp: () => import("../generated/mnist_mlp.ts"),
  deep_tanh: () => import("../generated/deep_tanh.ts"),
  mnist_cnn: () => import("../generated/mnist_cnn.ts"),
};

/** The wasm backend's modules of the same specs (engine netspec-wasm). */
const WASM_MODULES: Record<WorkloadName, () => Promise<CompiledModule>> = {
  iris: () => import("../generated/iris.wasm.ts"),
  mnist_mlp: () => import("../generated/mnist_mlp.wasm.ts"),
  deep_tanh: () => import("../generated/deep_tanh.wasm.ts"),
  mnist_cnn: () => import("../generated/mnist_cnn.wasm.ts"),
};

/** generated/<name>.wasm.ts, checked against the spec like the JS module. */
export async function loadWasmModule(w: Workload): Promise<CompiledModule> {
  const mod = await WASM_MODULES[w.name]();
  if (mod.SPEC_HASH !== w.mod.SPEC_HASH) throw new Error(`generated/${w.name}.wasm.ts is stale (spec hash differs): run npx netspec compile ${specFile(w.name)}`);
  return mod;
}

/** Batches in the fixed sequence; also the number of steps of the agreement run. */
export const SEQUENCE = 200;

export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  /** "relu" | "tanh" | "identity" (the only ones these workloads use). */
  readonly activation: string;
  /** λ for this layer's weights: the spec's l2 times the layer's multiplier. */
  readonly l2: number;
  /** Offsets of W [inputs × units] and b [units] in the flat params array. */
  readonly wOffset: number;
  readonly bOffset: number;
}

/** A layer of an image network (the mnist_cnn workload), located in the module's PARAMS layout. */
export type ImageLayer =
  | { readonly kind: "conv2d"; readonly kernel: readonly [number, number, number, number]; readonly stride: number; readonly padding: "valid" | "same"; readonly activation: string; readonly wOffset: number; readonly bOffset: number }
  | { readonly kind: "max_pool" | "avg_pool"; readonly size: number; readonly stride: number }
  | { readonly kind: "dense"; readonly inputs: number; readonly units: number; readonly activation: string; readonly wOffset: number; readonly bOffset: number };

export interface Workload {
  readonly name: WorkloadName;
  readonly spec: Spec;
  readonly mod: CompiledModule;
  readonly batch: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** The dense layers of an MLP workload (empty for an image network: see `image`). */
  readonly layers: readonly DenseLayer[];
  /** An image network's input [H, W, C] and layers (channels last, as tf.conv2d), or null. */
  readonly image: { readonly input: readonly [number, number, number]; readonly layers: readonly ImageLayer[] } | null;
  readonly loss: "softmax_cross_entropy" | "mse";
  readonly optimizer: { readonly lr: number; readonly momentum: number; readonly nesterov: boolean };
  /** SEQUENCE batches back to back: x [SEQUENCE·batch × in], y [SEQUENCE·batch × out]. */
  readonly x: Float32Array;
  /** One-hot rows for classification (what tfjs trains on), target rows for regression. */
  readonly y: Float32Array;
  /** Class labels [SEQUENCE·batch] (what netspec trains on), or null for regression. */
  readonly labels: Int32Array | null;
  readonly test: { readonly x: Float32Array; readonly y: Float32Array; readonly labels: Int32Array | null; readonly rows: number };
  /** netspec's model.init(seed): the one starting point of every engine. */
  readonly init: Float32Array;
  /** The training rows as the runtime feeds them, and the row of each batch slot in turn. */
  readonly source: BatchSource;
  readonly rows: Int32Array;
  readonly flopsPerStep: number;
  readonly checksum: string;
}

/** Loads the spec and module, prepares the data as `netspec train` would, draws the batches. */
export async function loadWorkload(name: WorkloadName): Promise<Workload> {
  const file = specFile(name);
  const loaded = loadSpec(file);
  if (!loaded.ok) throw new Error(`${file}: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
  const spec = loaded.spec;
  const mod = await MODULES[name]();
  if (mod.SPEC_HASH !== loaded.hash) {
    throw new Error(`generated/${name}.ts is stale (spec hash differs): run npx netspec compile ${file}`);
  }
  const loss = spec.loss!.op;
  if (loss !== "softmax_cross_entropy" && loss !== "mse") throw new Error(`${name}: bench supports only softmax_cross_entropy and mse`);
  if (spec.regularizer.l1 !== 0) throw new Error(`${name}: bench does not model l1`);

  const image = spec.inputShape ? imageLayers(spec, mod) : null;
  const layers = image ? [] : denseLayers(spec, mod);
  const data = prepareData(spec.data!, { baseDir: dirname(file), seed: spec.seed, inputSize: spec.input });
  const B = mod.BATCH, o = mod.OUTPUT_SIZE;
  const rows = sequenceRows(data.train.rows, B, spec.seed, spec.train.shuffle);
  const pick = (ds: Dataset, idx: Int32Array) => ({
    x: gather(ds.features, ds.inputSize, idx),
    y: ds.labels ? oneHot(gatherInt(ds.labels, idx), o) : gather(vectorTargets(ds, o), o, idx),
    labels: ds.labels ? gatherInt(ds.labels, idx) : null,
  });
  const train = pick(data.train, rows);
  const testDs = data.test ?? data.train;
  const test = { ...pick(testDs, Int32Array.from({ length: testDs.rows }, (_, i) => i)), rows: testDs.rows };
  const vec = mod.TARGET === "vector" ? vectorTargets(data.train, o) : null;

  const model = mod.createModel();
  model.init(spec.seed);
  const init = model.params.slice();

  return {
    name, spec, mod, batch: B, inputSize: mod.INPUT_SIZE, outputSize: o, layers, image, loss,
    optimizer: sgdOf(spec),
    ...train, test, init,
    source: { features: data.train.features, labels: data.train.labels, vec }, rows,
    // As `netspec explain` counts them: every op of a training step (forward, loss, backward).
    flopsPerStep: flops(planSpec(spec, measureData(spec, file)).graph),
    checksum: fnv1a([train.x, train.y, init]),
  };
}

/** The spec's layers, located in the module's PARAMS layout. Only dense layers are modelled. */
function denseLayers(spec: Spec, mod: CompiledModule): DenseLayer[] {
  let inputs = spec.input;
  return spec.layers.map((l, i) => {
    if (l.kind !== "dense" || !l.bias) throw new Error(`${spec.name}: bench models only dense layers with biases`);
    const w = mod.PARAMS.find((p) => p.path === `layers[${i}].weights`);
    const b = mod.PARAMS.find((p) => p.path === `layers[${i}].biases`);
    if (!w || !b || w.shape[0] !== inputs || w.shape[1] !== l.units) throw new Error(`${spec.name}: unexpected PARAMS layout at layer ${i}`);
    const layer = { inputs, units: l.units, activation: l.activation.op, l2: spec.regularizer.l2 * l.regularize, wOffset: w.offset, bOffset: b.offset };
    inputs = l.units;
    return layer;
  });
}

/** An image network's layers (conv2d with bias, pools, dense with bias; no penalty). */
function imageLayers(spec: Spec, mod: CompiledModule): NonNullable<Workload["image"]> {
  if (spec.regularizer.l2 !== 0) throw new Error(`${spec.name}: bench models image networks without a penalty`);
  const [h, w, c] = spec.inputShape as [number, number, number];
  const param = (i: number, role: string) => {
    const p = mod.PARAMS.find((q) => q.path === `layers[${i}].${role}`);
    if (!p) throw new Error(`${spec.name}: no layers[${i}].${role} in PARAMS`);
    return p;
  };
  const layers = spec.layers.map((l, i): ImageLayer => {
    const win = l.window;
    if (l.kind === "conv2d" && win && l.bias && win.stride[0] === win.stride[1]) {
      return { kind: "conv2d", kernel: param(i, "weights").shape as unknown as [number, number, number, number], stride: win.stride[0], padding: win.padding, activation: l.activation.op, wOffset: param(i, "weights").offset, bOffset: param(i, "biases").offset };
    }
    if ((l.kind === "max_pool" || l.kind === "avg_pool") && win && win.kernel[0] === win.kernel[1] && win.padding === "valid") {
      return { kind: l.kind, size: win.kernel[0], stride: win.stride[0] };
    }
    if (l.kind === "dense" && l.bias) {
      const wt = param(i, "weights");
      return { kind: "dense", inputs: wt.shape[0]!, units: l.units, activation: l.activation.op, wOffset: wt.offset, bOffset: param(i, "biases").offset };
    }
    throw new Error(`${spec.name}: bench does not model layers[${i}] (${l.kind})`);
  });
  return { input: [h, w, c], layers };
}

/** Training-row indices of SEQUENCE batches, drawn exactly as the runtime's Trainer draws them. */
function sequenceRows(rows: number, batch: number, seed: number, shuffle: boolean): Int32Array {
  const perEpoch = Math.floor(rows / batch);
  if (perEpoch < 1) throw new Error(`${rows} training rows < batch ${batch}`);
  const rng = shuffleStream(seed);
  const perm = new Int32Array(rows);
  const out = new Int32Array(SEQUENCE * batch);
  for (let b = 0; b < SEQUENCE; b++) {
    const k = b % perEpoch;
    if (k === 0) epochOrder(perm, rng, shuffle);
    out.set(perm.subarray(k * batch, (k + 1) * batch), b * batch);
  }
  return out;
}

function gather(src: Float32Array, width: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * width);
  idx.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

function gatherInt(src: Int32Array, idx: Int32Array): Int32Array {
  return Int32Array.from(idx, (r) => src[r]);
}

/** FNV-1a over the arrays' 32-bit words, as hex: "same data in every child", cheaply. */
function fnv1a(arrays: readonly Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Test-set quality from an engine's own forward pass: accuracy (classes) or mse (regression). */
export function testMetric(w: Workload, out: Float32Array): number {
  const o = w.outputSize, n = w.test.rows;
  if (w.test.labels) {
    let correct = 0;
    for (let r = 0; r < n; r++) if (argmaxAt(out, r * o, o) === w.test.labels[r]) correct++;
    return correct / n;
  }
  let sum = 0;
  for (let i = 0; i < n * o; i++) sum += (out[i] - w.test.y[i]) ** 2;
  return sum / (n * o);
}

/** The bench compares SGD (tfjs's tf.train.sgd / tf.train.momentum): a spec's sgd settings. */
function sgdOf(spec: Spec): Workload["optimizer"] {
  const rule = spec.optimizer.rule;
  if (rule.kind !== "sgd") throw new Error(`bench: ${spec.name} uses ${rule.kind}; the bench compares sgd only`);
  return { lr: spec.optimizer.lr, momentum: rule.momentum, nesterov: rule.nesterov };
}
