import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";
import { f32x4, indicator, splat } from "../wasm.ts";

export const relu = defineActivation({
  name: "relu",
  math: "max(0, x)",
  f: (x) => (x > 0 ? x : 0),
  fCode: (x) => `${x} > 0 ? ${x} : 0`,
  // y > 0 exactly where x > 0, so the input need not be kept.
  df: (_x, y) => (y > 0 ? 1 : 0),
  dfCode: (_x, y) => `${y} > 0 ? 1 : 0`,
  uses: "y",
  onnx: sameOp("Relu"),
  // pmax(0, x) is `0 < x ? x : 0`, the same choice as fCode (NaN gives 0 in both).
  fWasm: (x) => f32x4("pmax", splat(0), x),
  dfWasm: (_x, y) => indicator(f32x4("gt", y, splat(0))),
});
