import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";

export const sigmoid = defineActivation({
  name: "sigmoid",
  math: "1 / (1 + e^−x)",
  f: (x) => 1 / (1 + Math.exp(-x)),
  fCode: (x) => `1 / (1 + Math.exp(-${x}))`,
  df: (_x, y) => y * (1 - y),
  dfCode: (_x, y) => `${y} * (1 - ${y})`,
  uses: "y",
  onnx: sameOp("Sigmoid"),
});
