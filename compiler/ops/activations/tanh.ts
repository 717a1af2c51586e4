import { defineActivation } from "../elementwise.ts";

export const tanh = defineActivation({
  name: "tanh",
  math: "tanh(x)",
  f: (x) => Math.tanh(x),
  fCode: (x) => `Math.tanh(${x})`,
  df: (_x, y) => 1 - y * y,
  dfCode: (_x, y) => `1 - ${y} * ${y}`,
  uses: "y",
});
