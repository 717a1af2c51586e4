// maxout: each unit is the max over K affine pieces (Goodfellow et al.), no activation.
import type { LayerSpec } from "../../spec/types.ts";
import type { LayerDef } from "../layer.ts";
import { affine, flattenNote } from "./dense.ts";

export const maxout: LayerDef<LayerSpec> = {
  name: "maxout",
  call: {
    args: ["tensor", "count", "count"],
    optional: 1,
    usage: "maxout(input, units, pieces?)",
    attrs: ([, units, pieces], d) => ({
      kind: "maxout", units: units as number, pieces: (pieces as number | undefined) ?? 2, activation: { op: "identity", attrs: {} },
      bias: true, init: d.init, regularize: 1, regularizeBias: d.regularizeBias,
    }),
  },
  lower: (ctx, [x], l) => ctx.add("maxout", [affine(ctx, x!, l)], { pieces: l.pieces }, ctx.name("h")),
  describe: (l, [x]) => `${flattenNote(x!)}maxout ${x!.shape.slice(1).reduce((a, b) => a * b, 1)}→${l.units} (${l.pieces} pieces)`,
};
