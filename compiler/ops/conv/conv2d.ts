// conv2d: y = act(x ⋆ W + b) over NHWC images, as Keras' Conv2D (cross-correlation, no
// kernel flip). W is [KH, KW, C, F] (Keras' layout), b is [F]; the bias and the activation
// are part of the op, so every emitted form applies them as each output is written.
// Its gradient rule adds: dz = dy ⊙ act′(y), then dx (conv2d_grad_input), dW
// (conv2d_grad_weights) and db (channel_sum). Each has two emitted forms, direct loops and
// im2col + the blocked GEMM kernel (conv-kernels.ts); forms.ts picks the one measured faster.

import { shapeSize, type Shape } from "../../ir/types.ts";
import type { Attrs, OpDef } from "../op.ts";
import { activationOp } from "../activations/index.ts";
import { convGeometry, convScratch, forEachTap, hwc, outputHW, windowOf, type Window } from "./geometry.ts";
import { convOnnx } from "./onnx.ts";
import { emitConv, emitConvInputGrad, emitConvWeightGrad } from "./conv-kernels.ts";
import { convInputGradWasm, convWasm, convWeightGradWasm } from "./conv-wasm.ts";
import { writeSumRowsWasm } from "../core/sum-rows-wasm.ts";
import type { ConvForm, ConvPass } from "./forms.ts";

export interface ConvAttrs extends Window {
  /** The fused activation (its backward reads the output y), or null. */
  readonly activation: string | null;
  readonly activationAttrs: Attrs;
  /** The emitted form of each of its kernels (chosen from measurements: forms.ts). */
  readonly forms: Readonly<Record<ConvPass, ConvForm>>;
}

/** conv2d_grad_input also needs the input's height and width (a `valid` floor loses them). */
export interface ConvGradAttrs extends Window {
  readonly h: number;
  readonly w: number;
  readonly form: ConvForm;
}

export const convAttrs = (a: Attrs): ConvAttrs => a as unknown as ConvAttrs;
const gradAttrs = (a: Attrs): ConvGradAttrs => a as unknown as ConvGradAttrs;

/**
 * Visits every (output position, kernel tap) pair whose input element is inside the image:
 * `at(xo, wo, yo)` gets the offsets of x[b,iy,ix,0], W[ky,kx,0,0] and y[b,oy,ox,0].
 */
function taps(xs: Shape, ys: Shape, k: Window, f: number, at: (xo: number, wo: number, yo: number) => void): void {
  const c = xs[3]!;
  forEachTap(xs, ys, k, (window, pixel, tap) => at(pixel * c, tap * c * f, window * f));
}

export const conv2d: OpDef = {
  name: "conv2d",
  onnx: convOnnx,
  // What its fused activation calls (tanh32).
  helpers: (a) => {
    const { activation, activationAttrs } = convAttrs(a);
    return activation ? (activationOp(activation).helpers?.(activationAttrs) ?? []) : [];
  },
  shape: ([x, wt, b], a) => {
    const k = windowOf(a);
    if (x!.shape.length !== 4) return `conv2d needs images [batch, height, width, channels] (got [${x!.shape.join("×")}])`;
    const [kh, kw, c, f] = wt!.shape as [number, number, number, number];
    if (kh !== k.kh || kw !== k.kw || c !== x!.shape[3]) return `kernel [${wt!.shape.join("×")}] does not fit input [${x!.shape.join("×")}]`;
    if (b && (b.shape.length !== 1 || b.shape[0] !== f)) return `bias [${b.shape}] does not fit ${f} filters`;
    const [oh, ow] = outputHW(x!.shape, k);
    if (oh < 1 || ow < 1) return `kernel ${k.kh}×${k.kw} is larger than input [${x!.shape.slice(1).join("×")}]`;
    return { shape: [x!.shape[0]!, oh, ow, f], dtype: "f32" };
  },
  eval: ([x, wt, b], a, out) => {
    const k = convAttrs(a);
    const f = out[3]!;
    const c = x!.shape[3]!;
    const z = new Float64Array(shapeSize(out));
    if (b) z.forEach((_, i) => (z[i] = b.data[i % f]!));
    taps(x!.shape, out, k, f, (xo, wo, yo) => {
      for (let ci = 0; ci < c; ci++) for (let fi = 0; fi < f; fi++) z[yo + fi]! += x!.data[xo + ci]! * wt!.data[wo + ci * f + fi]!;
    });
    return k.activation ? activationOp(k.activation).eval([{ shape: out, data: z }], k.activationAttrs, out, "train") : z;
  },
  emit: (args) => emitConv(args, convAttrs(args.node.attrs)),
  wasmKernel: (args) => convWasm(args, convAttrs(args.node.attrs)),
  grad: (g, node, dy, needs) => {
    const k = convAttrs(node.attrs);
    const [x, wt, b] = node.inputs as [number, number, number | undefined];
    const xv = g.value(x);
    const dz = k.activation ? g.add(`${k.activation}_grad`, [dy!, node.output], k.activationAttrs, `d${g.value(node.output).name}_z`) : dy!;
    const window = { kh: k.kh, kw: k.kw, sh: k.sh, sw: k.sw, padding: k.padding };
    const [h, w] = hwc(xv.shape);
    return [
      needs[0] ? g.add("conv2d_grad_input", [dz, wt], { ...window, h, w, form: k.forms.input_grad }, `d${xv.name}`) : null,
      needs[1] ? g.add("conv2d_grad_weights", [x, dz], { ...window, h, w, form: k.forms.weight_grad }, `d${g.value(wt).name}`) : null,
      ...(b === undefined ? [] : [needs[2] ? g.add("channel_sum", [dz], {}, `d${g.value(b).name}`) : null]),
    ];
  },
  describe: (node, [x, wt, b], out) => {
    const k = convAttrs(node.attrs);
    const core = `${x!.name} ⋆ ${wt!.name}${b ? ` + ${b.name}` : ""}`;
    return `${out.name} = ${k.activation && k.activation !== "identity" ? `${k.activation}(${core})` : core}  ${k.kh}×${k.kw}/${k.sh}×${k.sw} ${k.padding}, ${k.forms.forward}`;
  },
  flops: ([x, wt], out) => 2 * shapeSize(out.shape) * wt!.shape[0]! * wt!.shape[1]! * x!.shape[3]! + 2 * shapeSize(out.shape),
  scratch: ([x], out, a) => convScratch(convGeometry(x!.shape, out.shape[3]!, windowOf(a)), x!.shape[0]!, "forward"),
};

/** dx[b,iy,ix,c] = Σ over the windows that read it of dz[b,oy,ox,f]·W[ky,kx,c,f]. */
export const conv2d_grad_input: OpDef = {
  name: "conv2d_grad_input",
  shape: ([dz, wt], a) => ({ shape: [dz!.shape[0]!, gradAttrs(a).h, gradAttrs(a).w, wt!.shape[2]!], dtype: "f32" }),
  eval: ([dz, wt], a, out) => {
    const c = out[3]!;
    const f = dz!.shape[3]!;
    const dx = new Float64Array(shapeSize(out));
    taps(out, dz!.shape, gradAttrs(a), f, (xo, wo, yo) => {
      for (let ci = 0; ci < c; ci++) for (let fi = 0; fi < f; fi++) dx[xo + ci]! += dz!.data[yo + fi]! * wt!.data[wo + ci * f + fi]!;
    });
    return dx;
  },
  emit: (args) => emitConvInputGrad(args, gradAttrs(args.node.attrs)),
  wasmKernel: (args) => convInputGradWasm(args, gradAttrs(args.node.attrs)),
  describe: (node, [dz, wt], out) => `${out.name} = ${dz!.name} ⋆ᵀ ${wt!.name}  (each input element gathers the windows that read it), ${gradAttrs(node.attrs).form}`,
  flops: ([dz, wt]) => 2 * shapeSize(dz!.shape) * wt!.shape[0]! * wt!.shape[1]! * wt!.shape[2]!,
  scratch: ([dz], out, a) => convScratch(convGeometry(out.shape, dz!.shape[3]!, gradAttrs(a)), dz!.shape[0]!, "input_grad"),
};

/** dW[ky,kx,c,f] = Σ over batch and output positions of x[b,iy,ix,c]·dz[b,oy,ox,f]. */
export const conv2d_grad_weights: OpDef = {
  name: "conv2d_grad_weights",
  shape: ([x, dz], a) => ({ shape: [gradAttrs(a).kh, gradAttrs(a).kw, x!.shape[3]!, dz!.shape[3]!], dtype: "f32", batched: false }),
  eval: ([x, dz], a, out) => {
    const c = out[2]!;
    const f = out[3]!;
    const dw = new Float64Array(shapeSize(out));
    taps(x!.shape, dz!.shape, gradAttrs(a), f, (xo, wo, yo) => {
      for (let ci = 0; ci < c; ci++) for (let fi = 0; fi < f; fi++) dw[wo + ci * f + fi]! += x!.data[xo + ci]! * dz!.data[yo + fi]!;
    });
    return dw;
  },
  emit: (args) => emitConvWeightGrad(args, gradAttrs(args.node.attrs)),
  wasmKernel: (args) => convWeightGradWasm(args, gradAttrs(args.node.attrs)),
  describe: (node, [x, dz], out) => `${out.name} = Σ_batch,positions ${x!.name} window ⊗ ${dz!.name}, ${gradAttrs(node.attrs).form}`,
  flops: ([x, dz], out) => 2 * shapeSize(dz!.shape) * out.shape[0]! * out.shape[1]! * x!.shape[3]!,
  scratch: ([x, dz], _out, a) => convScratch(convGeometry(x!.shape, dz!.shape[3]!, gradAttrs(a)), x!.shape[0]!, "weight_grad"),
};

/** Σ over everything but the channel: [B, …, F] → [F] (the bias gradient of conv2d). */
export const channel_sum: OpDef = {
  name: "channel_sum",
  shape: ([a]) => ({ shape: [a!.shape.at(-1)!], dtype: "f32", batched: false }),
  eval: ([a]) => {
    const f = a!.shape.at(-1)!;
    const out = new Float64Array(f);
    a!.data.forEach((v, i) => (out[i % f]! += v));
    return out;
  },
  emit: ({ w, ins: [a], out, ref, rows }) => {
    const f = a!.shape.at(-1)!;
    const per = shapeSize(a!.shape.slice(1)) / f;
    w.writeLine(`${ref(out)}.fill(0);`);
    w.write(`for (let i = 0; i < ${rows} * ${per * f}; i += ${f})`).block(() => {
      w.write(`for (let j = 0; j < ${f}; j++)`).block(() => w.writeLine(`${ref(out)}[j] += ${ref(a!)}[i + j];`));
    });
  },
  // [B, …, F] read as [B·…, F] rows: the same column sums as sum_rows, in the same order.
  wasmKernel: (args) => writeSumRowsWasm({ ...args, ins: [{ ...args.ins[0]!, shape: [shapeSize(args.ins[0]!.shape) / args.out.shape[0]!, args.out.shape[0]!] }] }),
  describe: (_n, [a], out) => `${out.name} = Σ_batch,positions ${a!.name}`,
  flops: ([a]) => shapeSize(a!.shape),
};
