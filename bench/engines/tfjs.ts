// TensorFlow.js on its `cpu` or `wasm` backend, on its fastest training path: the batches
// are pre-made tensors, the weights are tf.variables, and each step is one
// optimizer.minimize() call (no tf.layers, no model.fit, no per-step data upload).
//
// The objective is the spec's, written out in tf ops: each dense layer is matMul + bias, then
// the activation. The matMul + bias is written the way each backend trains fastest (measured
// here on iris, mnist_mlp, deep_tanh): on cpu tf.fused.matMul (its fused kernel is kept under
// gradient for a linear activation), on wasm a plain tf.matMul then tf.add — the wasm fused
// kernel's gradient path was ~2× slower on mnist_mlp and deep_tanh. Then: softmax cross-entropy as tf.losses.softmaxCrossEntropy on
// one-hot labels (mean over the batch), mse as tf.losses.meanSquaredError (mean over batch
// and outputs); plus 0.5·λ·ΣW² per weight matrix. The optimizer is the spec's: tf.train.sgd,
// or tf.train.momentum when the spec has momentum. tfjs's momentum (v ← μv + g; p ← p − lr·v)
// is the runtime's (v ← μv − lr·g; p ← p + v) with v scaled by −lr: the same iterates.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Workload } from "../workloads.ts";
import type { Engine } from "./engine.ts";

export type Backend = "cpu" | "wasm";

/** Selects the backend. Prod mode skips debug checks and the "install tfjs-node" banner. */
export async function initBackend(backend: Backend): Promise<{ simd: boolean; threads: boolean }> {
  tf.enableProdMode();
  if (backend === "wasm") {
    // In Node the .wasm binaries are read from disk: point at the package's dist folder.
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  const flags = tf.env();
  return backend === "wasm"
    ? { simd: flags.getBool("WASM_HAS_SIMD_SUPPORT"), threads: flags.getBool("WASM_HAS_MULTITHREAD_SUPPORT") }
    : { simd: false, threads: false };
}

interface Layer {
  readonly W: tf.Variable;
  readonly b: tf.Variable;
  readonly activation: (z: tf.Tensor2D) => tf.Tensor2D;
  readonly l2: number;
}

function activationFn(name: string): (z: tf.Tensor2D) => tf.Tensor2D {
  switch (name) {
    case "relu": return (z) => tf.relu(z);
    case "tanh": return (z) => tf.tanh(z);
    case "identity": return (z) => z;
    default: throw new Error(`bench: activation ${name} is not modelled for tfjs`);
  }
}

/** `fusedAffine`: tf.fused.matMul with bias (true) or tf.matMul + tf.add (false). */
export function createTfjsEngine(w: Workload, fusedAffine: boolean): Engine {
  const B = w.batch, inSize = w.inputSize, o = w.outputSize;
  const layers: Layer[] = w.layers.map((l) => ({
    W: tf.variable(tf.tensor2d(w.init.slice(l.wOffset, l.wOffset + l.inputs * l.units), [l.inputs, l.units])),
    b: tf.variable(tf.tensor1d(w.init.slice(l.bOffset, l.bOffset + l.units))),
    activation: activationFn(l.activation),
    l2: l.l2,
  }));
  const varList = layers.flatMap((l) => [l.W, l.b]);
  // Pre-made batch tensors: uploading data is not part of a training step.
  const xs = Array.from({ length: w.x.length / (B * inSize) }, (_, i) =>
    tf.tensor2d(w.x.slice(i * B * inSize, (i + 1) * B * inSize), [B, inSize]));
  const ys = xs.map((_, i) => tf.tensor2d(w.y.slice(i * B * o, (i + 1) * B * o), [B, o]));

  const affine = fusedAffine
    ? (h: tf.Tensor2D, l: Layer) => tf.fused.matMul({ a: h, b: l.W, bias: l.b }) as tf.Tensor2D // declared as Tensor; 2-D × 2-D is 2-D
    : (h: tf.Tensor2D, l: Layer) => tf.add<tf.Tensor2D>(tf.matMul(h, l.W), l.b);
  const forward = (x: tf.Tensor2D): tf.Tensor2D => layers.reduce((h, l) => l.activation(affine(h, l)), x);

  const objective = (x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar => {
    const z = forward(x);
    let loss: tf.Scalar = w.loss === "mse"
      ? tf.losses.meanSquaredError<tf.Tensor2D, tf.Scalar>(y, z)
      : tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(y, z);
    for (const l of layers) {
      if (l.l2 !== 0) loss = tf.add(loss, tf.mul(0.5 * l.l2, tf.sum(tf.square(l.W))));
    }
    return loss;
  };

  const { lr, momentum, nesterov } = w.optimizer;
  const makeOptimizer = (): tf.Optimizer =>
    momentum === 0 ? tf.train.sgd(lr) : tf.train.momentum(lr, momentum, nesterov);
  let optimizer = makeOptimizer();

  return {
    step(i) {
      const x = xs[i], y = ys[i];
      optimizer.minimize(() => objective(x, y), false, varList);
    },
    lossOn(i) {
      return tf.tidy(() => objective(xs[i], ys[i]).dataSync()[0]);
    },
    predict(x, rows) {
      return tf.tidy(() => Float32Array.from(forward(tf.tensor2d(x.subarray(0, rows * inSize), [rows, inSize])).dataSync()));
    },
    params() {
      const flat = new Float32Array(w.init.length);
      w.layers.forEach((l, k) => {
        flat.set(layers[k].W.dataSync(), l.wOffset);
        flat.set(layers[k].b.dataSync(), l.bOffset);
      });
      return flat;
    },
    reset() {
      w.layers.forEach((l, k) => {
        tf.tidy(() => {
          layers[k].W.assign(tf.tensor2d(w.init.slice(l.wOffset, l.wOffset + l.inputs * l.units), [l.inputs, l.units]));
          layers[k].b.assign(tf.tensor1d(w.init.slice(l.bOffset, l.bOffset + l.units)));
        });
      });
      // A fresh optimizer has no momentum accumulators yet (they start at zero).
      optimizer.dispose();
      optimizer = makeOptimizer();
    },
  };
}
