// conv2d: Keras' Conv2D on channels-last images. W [KH, KW, C, F] and b [F] are the layer's
// own parameters; bias and activation are fused into the conv2d op, and each of its kernels
// takes the form measured faster for this shape (ops/conv/forms.ts).
import type { Value } from "../../ir/types.ts";
import type { LayerSpec, OpRef } from "../../spec/types.ts";
import { windowMisfit } from "../conv/geometry.ts";
import { chooseForm, type ConvPass, type ConvShape } from "../conv/forms.ts";
import { resolveInit, type LayerDef } from "../layer.ts";
import { activationDefs } from "../activations/index.ts";

export const windowAttrs = (l: LayerSpec) => {
  const w = l.window!;
  return { kh: w.kernel[0], kw: w.kernel[1], sh: w.stride[0], sw: w.stride[1], padding: w.padding };
};

/** Why this layer does not fit its input, or null (checked before lowering, so it is the user's error). */
export function imageMisfit(what: string, l: LayerSpec, [x]: readonly Value[]): string | null {
  if (x!.shape.length !== 4) {
    return `${l.kind} needs images [height, width, channels] per sample; got [${x!.shape.slice(x!.batched ? 1 : 0).join("×")}]` +
      " (give an image input such as input: [28, 28, 1])";
  }
  return windowMisfit(what, x!.shape.slice(1), windowAttrs(l));
}

export function convShape(l: LayerSpec, x: Value): ConvShape {
  const k = windowAttrs(l);
  return { h: x.shape[1]!, w: x.shape[2]!, c: x.shape[3]!, ...k, filters: l.units };
}

export const conv2d: LayerDef<LayerSpec> = {
  name: "conv2d",
  input: "images",
  call: {
    args: ["tensor", "count", "count", "activation", "count", "padding"],
    optional: 3,
    usage: "conv2d(input, filters, kernel, activation?, stride?, padding?)",
    attrs: ([, filters, kernel, activation, stride, padding], d) => ({
      kind: "conv2d", units: filters as number, pieces: 1,
      window: { kernel: [kernel as number, kernel as number], stride: [(stride as number | undefined) ?? 1, (stride as number | undefined) ?? 1], padding: (padding as "valid" | "same" | undefined) ?? "valid" },
      activation: (activation as OpRef | undefined) ?? { op: "identity", attrs: {} },
      bias: true, init: d.init, regularize: 1, regularizeBias: d.regularizeBias,
    }),
  },
  check: (l, ins) => imageMisfit("kernel", l, ins),
  lower: (ctx, [x], l) => {
    const xv = ctx.value(x!);
    const k = windowAttrs(l);
    const c = xv.shape[3]!;
    // Keras' fans for Glorot/He: receptive field × channels in, × filters out.
    const [fanIn, fanOut] = [k.kh * k.kw * c, k.kh * k.kw * l.units];
    const w = ctx.param("weights", ctx.name("W"), [k.kh, k.kw, c, l.units], resolveInit(l.init.weights, fanIn, fanOut), l.regularize);
    const b = l.bias ? [ctx.param("biases", ctx.name("b"), [l.units], resolveInit(l.init.biases, fanIn, fanOut), l.regularizeBias)] : [];
    const shape = convShape(l, xv);
    const forms = Object.fromEntries((["forward", "input_grad", "weight_grad"] as ConvPass[]).map((p) => [p, chooseForm(p, shape).form]));
    const act = l.activation.op === "identity" ? null : l.activation;
    // The fused activation's derivative is taken from the output y; one that needs its input
    // (swish) runs as an op of its own after the convolution.
    if (act && activationDefs[act.op as keyof typeof activationDefs].def.uses === "x") {
      const z = ctx.add("conv2d", [x!, w, ...b], { ...k, activation: null, activationAttrs: {}, forms }, ctx.name("z"));
      return ctx.add(act.op, [z], act.attrs, ctx.name("h"));
    }
    return ctx.add("conv2d", [x!, w, ...b], { ...k, activation: act?.op ?? null, activationAttrs: act?.attrs ?? {}, forms }, ctx.name("h"));
  },
  describe: (l, [x]) => {
    const k = windowAttrs(l);
    const shape = convShape(l, x!);
    // Which form each JS kernel takes, and whether the table (forms.ts MEASURED) or its rule chose
    // it; the wasm backend has one form (conv-wasm.ts).
    const forms = ([["forward", "forward"], ["input_grad", "dx"], ["weight_grad", "dW"]] as [ConvPass, string][])
      .filter(([p]) => p !== "input_grad" || x!.kind !== "input")
      .map(([p, label]) => {
        const c = chooseForm(p, shape);
        return `${label} ${c.form}${c.measured ? "" : " (rule)"}`;
      });
    const measured = (["forward", "weight_grad"] as ConvPass[]).every((p) => chooseForm(p, shape).measured);
    return `conv2d ${l.units}×${k.kh}×${k.kw}, stride ${k.sh}×${k.sw}, ${k.padding}${l.bias ? "" : " (no bias)"}, ${l.activation.op} ` +
      `[JS: ${forms.join(", ")}${measured ? "; measured" : ""}; wasm: im2col + SIMD GEMM]`;
  },
};
