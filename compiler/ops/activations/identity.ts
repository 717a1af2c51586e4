import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";

// Lowering skips identity entirely; it is registered so specs can name it and for its gradient check.
export const identity = defineActivation({
  name: "identity",
  math: "x",
  f: (x) => x,
  fCode: (x) => x,
  df: () => 1,
  dfCode: () => "1",
  uses: "y",
  onnx: sameOp("Identity"),
  fWasm: (x) => x,
  dfWasm: () => "(v128.const f32x4 1 1 1 1)",
});
