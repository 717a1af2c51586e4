// The image ops as ONNX nodes. netspec's tensors are NHWC (Keras, tfjs); ONNX's Conv and
// pools are NCHW, so each one is wrapped in a Transpose in and a Transpose out, and the
// kernel [KH, KW, C, F] is transposed to ONNX's [F, C, KH, KW]. `same` padding becomes
// explicit pads with the odd one after, as TensorFlow pads.

import { ints, type OnnxEmitter, type OnnxRule } from "../../export/rule.ts";
import { activationOp } from "../activations/index.ts";
import { axis, hwc, type Window } from "./geometry.ts";
import type { ConvAttrs } from "./conv2d.ts";

/** ONNX's pads [top, left, bottom, right] for a window over an NHWC input. */
function pads(shape: readonly number[], k: Window): number[] {
  const [h, w] = hwc(shape);
  const side = (size: number, kk: number, s: number) => {
    const a = axis(size, kk, s, k.padding);
    const total = Math.max((a.out - 1) * s + kk - size, 0);
    return [a.before, k.padding === "valid" ? 0 : total - a.before];
  };
  const [top, bottom] = side(h, k.kh, k.sh);
  const [left, right] = side(w, k.kw, k.sw);
  return [top!, left!, bottom!, right!];
}

const window = (e: OnnxEmitter, k: Window) => ({
  kernel_shape: ints([k.kh, k.kw]),
  strides: ints([k.sh, k.sw]),
  pads: ints(pads(e.inValues[0]!.shape, k)),
});

/** `body` maps the NCHW input to an NCHW result; the rule writes it back as NHWC into e.out. */
const inNchw = (e: OnnxEmitter, body: (nchw: string) => string): void => {
  const nchw = e.node("Transpose", [e.ins[0]!], { perm: ints([0, 3, 1, 2]) });
  e.node("Transpose", [body(nchw)], { perm: ints([0, 2, 3, 1]) }, e.out);
};

export const convOnnx: OnnxRule = (e) => {
  const k = e.attrs as unknown as ConvAttrs;
  inNchw(e, (x) => {
    const kernel = e.node("Transpose", [e.ins[1]!], { perm: ints([3, 2, 0, 1]) });
    const conv = e.node("Conv", [x, kernel, ...e.ins.slice(2)], window(e, k));
    if (!k.activation || k.activation === "identity") return conv;
    // The fused activation, by its own rule (element-wise: the layout does not matter to it).
    let out = "";
    const act = activationOp(k.activation);
    act.onnx!({ ...e, ins: [conv], attrs: k.activationAttrs, node: (op, ins, attrs, output) => (out = e.node(op, ins, attrs, output === e.out ? undefined : output)) });
    return out;
  });
};

export const poolOnnx = (opType: "MaxPool" | "AveragePool"): OnnxRule => (e) =>
  // AveragePool's count_include_pad is 0 by default: padded positions are not counted, as here.
  inNchw(e, (x) => e.node(opType, [x], window(e, e.attrs as unknown as Window)));

/** flatten (and any reshape of a sample): NHWC order is row-major already. */
export const reshapeOnnx: OnnxRule = (e) => {
  const to = e.attrs.shape as readonly number[];
  const shape = e.constant(`${e.out}_shape`, "int64", [to.length + 1], [e.outValue.batched ? -1 : to.length ? to[0]! : 1, ...(e.outValue.batched ? to : to.slice(1))]);
  e.node("Reshape", [e.ins[0]!, shape], {}, e.out);
};
