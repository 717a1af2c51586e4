// max_pool and avg_pool over NHWC images, as Keras' MaxPooling2D / AveragePooling2D: each
// channel separately, windows of size KH×KW moved by the stride. With `same` padding the
// positions outside the image are left out (of the max, and of the mean's count: Keras).
// max_pool's gradient goes to the argmax of each window; at a tie, to the first maximal
// element in row-major order (ky, then kx) — what the scan `if (v > m)` finds first.

import { shapeSize, type Shape } from "../../ir/types.ts";
import type { Attrs, OpDef } from "../op.ts";
import { forEachTap, outputHW, windowOf, type Window } from "./geometry.ts";
import { poolOnnx } from "./onnx.ts";
import { emitPool, emitPoolGrad } from "./pool-kernels.ts";
import { writePoolGradWasm, writePoolWasm } from "./pool-wasm.ts";

/** Every window of a pool: `visit(yo, taps)` gets y's offset and the x offsets the window covers, in scan order. */
export function windows(xs: Shape, ys: Shape, k: Window, visit: (yo: number, taps: number[]) => void): void {
  const c = xs[3]!;
  const pixels: number[][] = Array.from({ length: ys[0]! * ys[1]! * ys[2]! }, () => []);
  forEachTap(xs, ys, k, (window, pixel) => pixels[window]!.push(pixel));
  pixels.forEach((inside, window) => {
    for (let ch = 0; ch < c; ch++) visit(window * c + ch, inside.map((p) => p * c + ch));
  });
}

const poolShape = (what: string): OpDef["shape"] => ([x], a) => {
  if (x!.shape.length !== 4) return `${what} needs images [batch, height, width, channels] (got [${x!.shape.join("×")}])`;
  const [oh, ow] = outputHW(x!.shape, windowOf(a));
  if (oh < 1 || ow < 1) return `pool ${windowOf(a).kh}×${windowOf(a).kw} is larger than input [${x!.shape.slice(1).join("×")}]`;
  return { shape: [x!.shape[0]!, oh, ow, x!.shape[3]!], dtype: "f32" };
};
const sameAs = (i: number): OpDef["shape"] => (ins) => ({ shape: ins[i]!.shape, dtype: "f32" });
const win = (a: Attrs) => { const k = windowOf(a); return `${k.kh}×${k.kw}/${k.sh}×${k.sw} ${k.padding}`; };

/** The first index of the maximum (the tie rule above). */
const argmax = (data: Float64Array, taps: number[]): number => taps.reduce((best, t) => (data[t]! > data[best]! ? t : best), taps[0]!);

export const max_pool: OpDef = {
  name: "max_pool",
  onnx: poolOnnx("MaxPool"),
  shape: poolShape("max_pool"),
  eval: ([x], a, out) => {
    const y = new Float64Array(shapeSize(out));
    windows(x!.shape, out, windowOf(a), (yo, taps) => (y[yo] = x!.data[argmax(x!.data, taps)]!));
    return y;
  },
  emit: (args) => emitPool(args, windowOf(args.node.attrs), "max"),
  wasmKernel: (args) => writePoolWasm(args, windowOf(args.node.attrs), "max"),
  grad: (g, node, dy) => [g.add("max_pool_grad", [dy!, node.inputs[0]!], node.attrs, `d${g.value(node.inputs[0]!).name}`)],
  describe: (node, [x], out) => `${out.name} = max over each ${win(node.attrs)} window of ${x!.name}`,
  flops: (_ins, out, a) => shapeSize(out.shape) * windowOf(a).kh * windowOf(a).kw,
};

/** dx: each window's dy added at its argmax (first index at a tie); zero elsewhere. */
export const max_pool_grad: OpDef = {
  name: "max_pool_grad",
  shape: sameAs(1),
  eval: ([dy, x], a) => {
    const dx = new Float64Array(x!.data.length);
    windows(x!.shape, dy!.shape, windowOf(a), (yo, taps) => (dx[argmax(x!.data, taps)]! += dy!.data[yo]!));
    return dx;
  },
  emit: (args) => emitPoolGrad(args, windowOf(args.node.attrs), "max"),
  wasmKernel: (args) => writePoolGradWasm(args, windowOf(args.node.attrs), "max"),
  describe: (node, [dy, x], out) => `${out.name} = ${dy!.name} routed to the argmax of each ${win(node.attrs)} window of ${x!.name} (ties: first)`,
  flops: ([dy], _out, a) => shapeSize(dy!.shape) * windowOf(a).kh * windowOf(a).kw,
};

export const avg_pool: OpDef = {
  name: "avg_pool",
  onnx: poolOnnx("AveragePool"),
  shape: poolShape("avg_pool"),
  eval: ([x], a, out) => {
    const y = new Float64Array(shapeSize(out));
    windows(x!.shape, out, windowOf(a), (yo, taps) => (y[yo] = taps.reduce((s, t) => s + x!.data[t]!, 0) / taps.length));
    return y;
  },
  emit: (args) => emitPool(args, windowOf(args.node.attrs), "avg"),
  wasmKernel: (args) => writePoolWasm(args, windowOf(args.node.attrs), "avg"),
  grad: (g, node, dy) => {
    const x = g.value(node.inputs[0]!);
    return [g.add("avg_pool_grad", [dy!], { ...node.attrs, h: x.shape[1], w: x.shape[2] }, `d${x.name}`)];
  },
  describe: (node, [x], out) => `${out.name} = mean over each ${win(node.attrs)} window of ${x!.name}`,
  flops: (_ins, out, a) => shapeSize(out.shape) * windowOf(a).kh * windowOf(a).kw,
};

/** dx: each window's dy / (its element count) added to every element of the window. */
export const avg_pool_grad: OpDef = {
  name: "avg_pool_grad",
  shape: ([dy], a) => ({ shape: [dy!.shape[0]!, a.h as number, a.w as number, dy!.shape[3]!], dtype: "f32" }),
  eval: ([dy], a, out) => {
    const dx = new Float64Array(shapeSize(out));
    windows(out, dy!.shape, windowOf(a), (yo, taps) => taps.forEach((t) => (dx[t]! += dy!.data[yo]! / taps.length)));
    return dx;
  },
  emit: (args) => emitPoolGrad(args, windowOf(args.node.attrs), "avg"),
  wasmKernel: (args) => writePoolGradWasm(args, windowOf(args.node.attrs), "avg"),
  describe: (node, [dy], out) => `${out.name} = ${dy!.name} spread evenly over each ${win(node.attrs)} window`,
  flops: ([dy], _out, a) => shapeSize(dy!.shape) * windowOf(a).kh * windowOf(a).kw,
};
