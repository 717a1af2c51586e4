import { z } from "zod";
import { defineActivation } from "../elementwise.ts";
import { num } from "../op.ts";
import { float, sameOp } from "../../export/rule.ts";

export const elu = defineActivation({
  name: "elu",
  attrs: z.strictObject({ alpha: z.number().positive().default(1) }),
  math: "x > 0 ? x : α·(e^x − 1)",
  f: (x, a) => (x > 0 ? x : num(a, "alpha") * Math.expm1(x)),
  fCode: (x, a) => `${x} > 0 ? ${x} : ${num(a, "alpha")} * Math.expm1(${x})`,
  // For x ≤ 0, f′ = α·eˣ = y + α.
  df: (_x, y, a) => (y > 0 ? 1 : y + num(a, "alpha")),
  dfCode: (_x, y, a) => `${y} > 0 ? 1 : ${y} + ${num(a, "alpha")}`,
  uses: "y",
  onnx: sameOp("Elu", (a) => ({ alpha: float(num(a, "alpha")) })),
});
