// flatten: Keras' Flatten, [H, W, C] per sample → [H·W·C] in channels-last order. In a
// `layers:` list it is implicit before the first dense layer after an image layer (dense.ts).
import type { Value } from "../../ir/types.ts";
import type { LayerSpec } from "../../spec/types.ts";
import type { LayerContext, LayerDef } from "../layer.ts";

/** Adds the reshape to rows [batch, H·W·C] when x is an image batch; otherwise returns x. */
export function flattened(ctx: LayerContext, x: number, name: string): number {
  const v = ctx.value(x);
  if (v.shape.length <= 2) return x;
  return ctx.add("reshape", [x], { shape: [v.shape.slice(1).reduce((a, b) => a * b, 1)] }, name);
}

export const flatten: LayerDef<LayerSpec> = {
  name: "flatten",
  input: "any",
  call: {
    args: ["tensor"],
    optional: 0,
    usage: "flatten(input)",
    attrs: (_args, d) => ({ kind: "flatten", units: 0, pieces: 1, activation: { op: "identity", attrs: {} }, bias: false, init: d.init, regularize: 0, regularizeBias: 0 }),
  },
  lower: (ctx, [x]) => {
    const v = ctx.value(x!);
    // Already rows: nothing to do but keep the layer's own value.
    return v.shape.length <= 2 ? ctx.add("reshape", [x!], { shape: v.shape.slice(1) }, ctx.name("h")) : flattened(ctx, x!, ctx.name("h"));
  },
  describe: (_l, [x]: readonly Value[]) => `flatten [${x!.shape.slice(1).join("×")}] → [${x!.shape.slice(1).reduce((a, b) => a * b, 1)}] (channels-last order)`,
};
