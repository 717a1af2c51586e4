import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";
import { f32x4, splat } from "../wasm.ts";

export const sigmoid = defineActivation({
  name: "sigmoid",
  math: "1 / (1 + e^−x)",
  f: (x) => 1 / (1 + Math.exp(-x)),
  fCode: (x) => `1 / (1 + Math.exp(-${x}))`,
  df: (_x, y) => y * (1 - y),
  dfCode: (_x, y) => `${y} * (1 - ${y})`,
  uses: "y",
  onnx: sameOp("Sigmoid"),
  // No fWasm: SIMD has no eˣ, so a product fused with sigmoid stays JavaScript on wasm.
  dfWasm: (_x, y, _a, local) => {
    const v = local(y);
    return f32x4("mul", v, f32x4("sub", splat(1), v));
  },
});
