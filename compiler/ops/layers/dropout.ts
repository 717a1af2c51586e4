// dropout: p — inverted dropout on the previous layer's output (core/dropout.ts). p = 0 is
// the identity and adds nothing, as in Keras.
import type { LayerSpec } from "../../spec/types.ts";
import { passThrough, type LayerDef } from "../layer.ts";

export const dropout: LayerDef<LayerSpec> = {
  name: "dropout",
  call: {
    args: ["tensor", "number"],
    optional: 0,
    usage: "dropout(input, p)",
    attrs: ([, p], d) => ({ ...passThrough("dropout", d), p: p as number }),
    check: ([, p]) => ((p as number) >= 0 && (p as number) < 1 ? undefined : { arg: 1, message: `dropout(): p must be in [0, 1) (got ${p})` }),
  },
  lower: (ctx, [x], l) => {
    const p = l.p!;
    if (p === 0) return x!;
    const mask = ctx.add("dropout_mask", [ctx.stream(ctx.name("rng"))], { p, shape: ctx.value(x!).shape }, ctx.name("mask"));
    return ctx.add("dropout", [x!, mask], { p }, ctx.name("h"));
  },
  describe: (l, [x]) => `dropout p=${l.p} over ${x!.shape[1]}`,
};
