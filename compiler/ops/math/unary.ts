// −x, eˣ and ln x: element-wise, defined like the activations by a scalar formula and its
// derivative (elementwise.ts), so they fuse the same way. Not activations of the spec.
import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";

export const neg = defineActivation({
  name: "neg",
  math: "−x",
  f: (x) => -x,
  fCode: (x) => `-${x}`,
  df: () => -1,
  dfCode: () => "-1",
  uses: "x",
  onnx: sameOp("Neg"),
});

export const exp = defineActivation({
  name: "exp",
  math: "eˣ",
  f: (x) => Math.exp(x),
  fCode: (x) => `Math.exp(${x})`,
  // (eˣ)′ is eˣ itself: the output.
  df: (_x, y) => y,
  dfCode: (_x, y) => y,
  uses: "y",
  onnx: sameOp("Exp"),
});

export const log = defineActivation({
  name: "log",
  math: "ln x",
  f: (x) => Math.log(x),
  fCode: (x) => `Math.log(${x})`,
  df: (x) => 1 / x,
  dfCode: (x) => `1 / ${x}`,
  uses: "x",
  onnx: sameOp("Log"),
});
