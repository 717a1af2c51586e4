// dense: z = x·W + b, then the activation. W [in, units·pieces] and b are the layer's own
// parameters; maxout (maxout.ts) shares the affine part and takes a max over pieces instead.
import type { Value } from "../../ir/types.ts";
import type { LayerSpec, OpRef } from "../../spec/types.ts";
import { resolveInit, type LayerContext, type LayerDef } from "../layer.ts";
import { flattened } from "./flatten.ts";

/** x·W (+ b) for a dense or maxout layer: returns the pre-activation z. An image batch is flattened first. */
export function affine(ctx: LayerContext, input: number, l: LayerSpec): number {
  const x = flattened(ctx, input, ctx.name("flat"));
  const width = ctx.value(x).shape[1]!;
  const cols = l.units * l.pieces;
  const w = ctx.param("weights", ctx.name("W"), [width, cols], resolveInit(l.init.weights, width, cols), l.regularize);
  const xw = ctx.add("matmul", [x, w], {}, ctx.name(l.bias ? "xw" : "z"));
  if (!l.bias) return xw;
  const b = ctx.param("biases", ctx.name("b"), [cols], resolveInit(l.init.biases, width, cols), l.regularizeBias);
  return ctx.add("bias_add", [xw, b], {}, ctx.name("z"));
}

export const dense: LayerDef<LayerSpec> = {
  name: "dense",
  call: {
    args: ["tensor", "count", "activation"],
    optional: 1,
    usage: "dense(input, units, activation?)",
    attrs: ([, units, activation], d) => ({
      kind: "dense", units: units as number, pieces: 1, activation: (activation as OpRef | undefined) ?? { op: "identity", attrs: {} },
      bias: true, init: d.init, regularize: 1, regularizeBias: d.regularizeBias,
    }),
  },
  lower: (ctx, [x], l) => {
    const z = affine(ctx, x!, l);
    return l.activation.op === "identity" ? z : ctx.add(l.activation.op, [z], l.activation.attrs, ctx.name("h"));
  },
  describe: (l, [x]) => `${flattenNote(x!)}dense ${x!.shape.slice(1).reduce((a, b) => a * b, 1)}→${l.units}${l.bias ? "" : " (no bias)"}, ${l.activation.op}`,
};

/** explain's note when a dense layer reads images: the implicit Flatten (Keras needs it written). */
export const flattenNote = (x: Value): string =>
  x.shape.length > 2 ? `flatten [${x.shape.slice(1).join("×")}] (implicit, channels-last order), then ` : "";
