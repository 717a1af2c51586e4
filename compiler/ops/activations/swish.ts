import { defineActivation } from "../elementwise.ts";

// swish (SiLU): x·σ(x). Its derivative needs the input, not the output:
// f′ = σ(x) + x·σ(x)·(1 − σ(x)) = σ(x)·(1 + x·(1 − σ(x))).
const sigma = (x: number) => 1 / (1 + Math.exp(-x));

export const swish = defineActivation({
  name: "swish",
  math: "x·σ(x)",
  f: (x) => x * sigma(x),
  fCode: (x) => `${x} / (1 + Math.exp(-${x}))`,
  df: (x) => sigma(x) * (1 + x * (1 - sigma(x))),
  dfCode: (x) => `(1 + ${x} * (1 - 1 / (1 + Math.exp(-${x})))) / (1 + Math.exp(-${x}))`,
  uses: "x",
  // ONNX opset 17 has no Swish: x · Sigmoid(x).
  onnx: (e) => void e.node("Mul", [e.ins[0]!, e.node("Sigmoid", e.ins)], {}, e.out),
});
