import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";

export const softplus = defineActivation({
  name: "softplus",
  math: "ln(1 + e^x)",
  // Stable for large |x|: max(x, 0) + ln(1 + e^−|x|).
  f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  fCode: (x) => `(${x} > 0 ? ${x} : 0) + Math.log1p(Math.exp(-Math.abs(${x})))`,
  // f′ = sigmoid(x) = 1 − e^−y.
  df: (_x, y) => -Math.expm1(-y),
  dfCode: (_x, y) => `-Math.expm1(-${y})`,
  uses: "y",
  onnx: sameOp("Softplus"),
});
