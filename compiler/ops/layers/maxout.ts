// maxout: each unit is the max over K affine pieces (Goodfellow et al.), no activation.
import type { LayerSpec } from "../../spec/types.ts";
import type { LayerDef } from "../layer.ts";
import { affine } from "./dense.ts";

export const maxout: LayerDef<LayerSpec> = {
  name: "maxout",
  lower: (ctx, [x], l) => ctx.add("maxout", [affine(ctx, x!, l)], { pieces: l.pieces }, ctx.name("h")),
  describe: (l, [x]) => `maxout ${x!.shape[1]}→${l.units} (${l.pieces} pieces)`,
};
