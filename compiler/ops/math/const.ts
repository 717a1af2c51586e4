// A number written in an expression (`2.5 * x`): a scalar with no inputs and no gradient.
import { z } from "zod";
import { num, type OpDef } from "../op.ts";

export const constant: OpDef = {
  name: "const",
  attrs: z.strictObject({ value: z.number() }),
  shape: () => ({ shape: [], dtype: "f32", batched: false }),
  eval: (_ins, a) => Float64Array.of(num(a, "value")),
  emit: ({ w, out, ref, node }) => w.writeLine(`${ref(out)}[0] = ${num(node.attrs, "value")};`),
  grad: () => [],
  describe: (node, _ins, out) => `${out.name} = ${num(node.attrs, "value")}`,
  flops: () => 0,
  onnx: (e) => e.node("Identity", [e.constant(e.out, "float", [], [num(e.attrs, "value")])], undefined, e.out),
};
