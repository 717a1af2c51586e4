// TensorFlow.js training an image network (the mnist_cnn workload) on its fastest path, as
// engines/tfjs.ts does for MLPs: tf.variables, pre-made batch tensors, one
// optimizer.minimize() per step. Each conv2d layer is tf.conv2d (NHWC, filters [KH, KW, C, F]:
// netspec's layout, so the initial weights are the same bytes) + bias + activation; pools are
// tf.maxPool / tf.avgPool; the flatten before dense is a reshape (NHWC order, as netspec's).
// Loss: tf.losses.softmaxCrossEntropy (mean over the batch); optimizer as engines/tfjs.ts.
//
// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained
// there as is. On wasm the filter gradient is written as what it is, another tf.conv2d
// (XNNPACK): for stride 1 and valid padding dW = conv2d(xᵀ, dyᵀ) with batch and channels
// swapped; the input gradient stays tf.conv2dTranspose (wasm's Conv2DBackpropInput).

import * as tf from "@tensorflow/tfjs";
import type { Workload } from "../workloads.ts";
import type { Engine } from "./engine.ts";

type T4 = tf.Tensor4D;
type Layer = NonNullable<Workload["image"]>["layers"][number];
type Weighted = Extract<Layer, { wOffset: number }>;
const weighted = (l: Layer): l is Weighted => l.kind === "conv2d" || l.kind === "dense";

function act(name: string): <R extends tf.Rank>(z: tf.Tensor<R>) => tf.Tensor<R> {
  if (name === "relu") return (z) => tf.relu(z);
  if (name === "identity") return (z) => z;
  throw new Error(`bench: activation ${name} is not modelled for tfjs`);
}

type Conv = (x: T4, W: T4, stride: number, padding: "valid" | "same") => T4;

const plainConv: Conv = (x, W, stride, padding) => tf.conv2d(x, W, stride, padding);

/** tf.conv2d with the filter gradient as a conv2d of its own (stride 1, valid padding only). */
const wasmConv: Conv = (() => {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, W, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, W]);
    return {
      value: tf.conv2d(x as T4, W as T4, 1, "valid"),
      gradFunc: (dy: tf.Tensor, [xs, Ws]: tf.Tensor[]): tf.Tensor[] => [
        tf.conv2dTranspose(dy as T4, Ws as T4, xs!.shape as [number, number, number, number], 1, "valid"),
        tf.transpose(tf.conv2d(tf.transpose(xs!, [3, 1, 2, 0]) as T4, tf.transpose(dy, [1, 2, 0, 3]) as T4, 1, "valid"), [1, 2, 0, 3]),
      ],
    };
  });
  return (x, W, stride, padding) => {
    if (stride !== 1 || padding !== "valid") throw new Error("bench: the wasm filter gradient is written for stride 1, valid padding");
    return f(x, W) as T4;
  };
})();

export function createTfjsConvEngine(w: Workload): Engine {
  const conv = tf.getBackend() === "wasm" ? wasmConv : plainConv;
  const net = w.image!;
  const [H, W, C] = net.input;
  const B = w.batch, o = w.outputSize;
  const shapeOf = (l: Weighted): number[] =>
    l.kind === "conv2d" ? [...l.kernel] : l.kind === "dense" ? [l.inputs, l.units] : [];
  const vars = net.layers.map((l) => {
    if (!weighted(l)) return null;
    const n = shapeOf(l).reduce((a, b) => a * b, 1);
    const bias = l.kind === "conv2d" ? l.kernel[3] : l.units;
    return {
      W: tf.variable(tf.tensor(w.init.slice(l.wOffset, l.wOffset + n), shapeOf(l))),
      b: tf.variable(tf.tensor1d(w.init.slice(l.bOffset, l.bOffset + bias))),
    };
  });
  const varList = vars.flatMap((v) => (v ? [v.W, v.b] : []));
  const xs = Array.from({ length: w.x.length / (B * H * W * C) }, (_, i) => tf.tensor4d(w.x.slice(i * B * H * W * C, (i + 1) * B * H * W * C), [B, H, W, C]));
  const ys = xs.map((_, i) => tf.tensor2d(w.y.slice(i * B * o, (i + 1) * B * o), [B, o]));

  const forward = (x: T4): tf.Tensor2D => {
    let h: tf.Tensor = x;
    net.layers.forEach((l, k) => {
      const v = vars[k];
      if (l.kind === "conv2d") h = act(l.activation)(tf.add(conv(h as T4, v!.W as T4, l.stride, l.padding), v!.b));
      else if (l.kind === "max_pool") h = tf.maxPool(h as T4, l.size, l.stride, "valid");
      else if (l.kind === "avg_pool") h = tf.avgPool(h as T4, l.size, l.stride, "valid");
      else if (l.kind === "dense") {
        if (h.rank !== 2) h = tf.reshape(h, [h.shape[0]!, l.inputs]);
        h = act(l.activation)(tf.add(tf.matMul(h as tf.Tensor2D, v!.W as tf.Tensor2D), v!.b));
      }
    });
    return h as tf.Tensor2D;
  };
  const objective = (x: T4, y: tf.Tensor2D): tf.Scalar => tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(y, forward(x));

  const { lr, momentum, nesterov } = w.optimizer;
  const makeOptimizer = (): tf.Optimizer => (momentum === 0 ? tf.train.sgd(lr) : tf.train.momentum(lr, momentum, nesterov));
  let optimizer = makeOptimizer();

  return {
    step(i) {
      optimizer.minimize(() => objective(xs[i]!, ys[i]!), false, varList);
    },
    lossOn(i) {
      return tf.tidy(() => objective(xs[i]!, ys[i]!).dataSync()[0]!);
    },
    predict(x, rows) {
      return tf.tidy(() => Float32Array.from(forward(tf.tensor4d(x.subarray(0, rows * H * W * C), [rows, H, W, C])).dataSync()));
    },
    params() {
      const flat = new Float32Array(w.init.length);
      net.layers.forEach((l, k) => {
        if (!weighted(l)) return;
        flat.set(vars[k]!.W.dataSync(), l.wOffset);
        flat.set(vars[k]!.b.dataSync(), l.bOffset);
      });
      return flat;
    },
    reset() {
      net.layers.forEach((l, k) => {
        if (!weighted(l)) return;
        tf.tidy(() => {
          const n = shapeOf(l).reduce((a, b) => a * b, 1);
          vars[k]!.W.assign(tf.tensor(w.init.slice(l.wOffset, l.wOffset + n), shapeOf(l)));
          vars[k]!.b.assign(tf.tensor1d(w.init.slice(l.bOffset, l.bOffset + vars[k]!.b.shape[0]!)));
        });
      });
      optimizer.dispose();
      optimizer = makeOptimizer();
    },
  };
}
