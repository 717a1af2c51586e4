// max_pool and avg_pool: Keras' MaxPooling2D / AveragePooling2D (no parameters).
import type { LayerSpec } from "../../spec/types.ts";
import type { LayerDef } from "../layer.ts";
import { imageMisfit, windowAttrs } from "./conv2d.ts";

function pool(kind: "max_pool" | "avg_pool"): LayerDef<LayerSpec> {
  return {
    name: kind,
    input: "images",
    call: {
      args: ["tensor", "count", "count", "padding"],
      optional: 3,
      usage: `${kind}(input, size?, stride?, padding?)`,
      attrs: ([, size, stride, padding], d) => {
        const s = (size as number | undefined) ?? 2;
        const st = (stride as number | undefined) ?? s;
        return {
          kind, units: 0, pieces: 1, window: { kernel: [s, s], stride: [st, st], padding: (padding as "valid" | "same" | undefined) ?? "valid" },
          activation: { op: "identity", attrs: {} }, bias: false, init: d.init, regularize: 0, regularizeBias: 0,
        };
      },
    },
    check: (l, ins) => imageMisfit("pool", l, ins),
    lower: (ctx, [x], l) => ctx.add(kind, [x!], windowAttrs(l), ctx.name("h")),
    describe: (l) => {
      const k = windowAttrs(l);
      return `${kind} ${k.kh}×${k.kw}, stride ${k.sh}×${k.sw}, ${k.padding}`;
    },
  };
}

export const maxPool = pool("max_pool");
export const avgPool = pool("avg_pool");
