import { defineActivation } from "../elementwise.ts";
import { sameOp } from "../../export/rule.ts";
import { f32x4, splat } from "../wasm.ts";

// Math.tanh is a call into C++ that V8 does not inline; in a tanh network it was a third of
// the forward pass. The emitted code uses Eigen's float32 rational approximation instead
// (what TensorFlow uses for float32 tanh), written in place: within 3e-7 of tanh everywhere,
// a few float32 ulps. The module defines it once, as `tanh32`, and V8 inlines it where it is
// called. The float64 reference keeps Math.tanh, so the forward and gradient checks measure
// the approximation too.
const LIMIT = 7.90531110763549805; // beyond it tanh rounds to ±1 in float32
const NUMERATOR = [-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3];
const DENOMINATOR = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3];
const horner = (coefficients: number[], x2: string) => coefficients.slice(1).reduce((acc, k) => `(${acc}) * ${x2} + ${k}`, `${coefficients[0]}`);
const hornerWasm = (coefficients: number[], x2: string) =>
  coefficients.slice(1).reduce((acc, k) => f32x4("add", f32x4("mul", acc, x2), splat(k)), splat(coefficients[0]!));

export const tanh = defineActivation({
  name: "tanh",
  math: "tanh(x)",
  f: (x) => Math.tanh(x),
  fCode: (x) => `tanh32(${x})`,
  helper: {
    name: "tanh32",
    doc: "tanh(x), float32-accurate: Eigen's rational approximation (what TensorFlow uses for float32 tanh).",
    parameters: ["x"],
    statements: [
      `const v = x > ${LIMIT} ? ${LIMIT} : x < -${LIMIT} ? -${LIMIT} : x; // beyond it tanh rounds to ±1`,
      "const v2 = v * v;",
      `return (v * (${horner(NUMERATOR, "v2")})) / (${horner(DENOMINATOR, "v2")});`,
    ],
  },
  df: (_x, y) => 1 - y * y,
  dfCode: (_x, y) => `1 - ${y} * ${y}`,
  uses: "y",
  onnx: sameOp("Tanh"),
  // The same approximation over four lanes, in float32 (the JS form evaluates it in float64).
  fWasm: (x, _a, local) => {
    const v = local(f32x4("pmin", f32x4("pmax", x, splat(-LIMIT)), splat(LIMIT)));
    const v2 = local(f32x4("mul", v, v));
    return f32x4("div", f32x4("mul", v, hornerWasm(NUMERATOR, v2)), hornerWasm(DENOMINATOR, v2));
  },
  dfWasm: (_x, y, _a, local) => {
    const v = local(y);
    return f32x4("sub", splat(1), f32x4("mul", v, v));
  },
});
