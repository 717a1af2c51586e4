import { z } from "zod";
import { defineActivation } from "../elementwise.ts";
import { num } from "../op.ts";
import { float, sameOp } from "../../export/rule.ts";
import { f32x4, select, splat } from "../wasm.ts";

export const leaky_relu = defineActivation({
  name: "leaky_relu",
  attrs: z.strictObject({ alpha: z.number().positive().lt(1).default(0.01) }),
  math: "x > 0 ? x : α·x",
  f: (x, a) => (x > 0 ? x : num(a, "alpha") * x),
  fCode: (x, a) => `${x} > 0 ? ${x} : ${num(a, "alpha")} * ${x}`,
  // 0 < α keeps the sign, so y > 0 exactly where x > 0.
  df: (_x, y, a) => (y > 0 ? 1 : num(a, "alpha")),
  dfCode: (_x, y, a) => `${y} > 0 ? 1 : ${num(a, "alpha")}`,
  uses: "y",
  onnx: sameOp("LeakyRelu", (a) => ({ alpha: float(num(a, "alpha")) })),
  fWasm: (x, a, local) => {
    const v = local(x);
    return select(v, f32x4("mul", splat(num(a, "alpha")), v), f32x4("gt", v, splat(0)));
  },
  dfWasm: (_x, y, a) => select(splat(1), splat(num(a, "alpha")), f32x4("gt", y, splat(0))),
});
