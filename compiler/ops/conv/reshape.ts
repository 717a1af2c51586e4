// reshape: the same elements, row-major, under another per-sample shape. `flatten` is
// reshape to [H·W·C] (NHWC order, so it matches Keras' Flatten on channels-last data);
// its gradient is reshape back. A copy: the buffers are small next to the convolutions.

import { shapeSize } from "../../ir/types.ts";
import type { OpDef } from "../op.ts";
import { forEach } from "../loops.ts";
import { reshapeOnnx } from "./onnx.ts";

export const reshape: OpDef = {
  name: "reshape",
  onnx: reshapeOnnx,
  shape: ([x], a) => {
    const to = a.shape as readonly number[];
    const from = x!.batched ? x!.shape.slice(1) : x!.shape;
    if (shapeSize(to) !== shapeSize(from)) return `cannot reshape [${from.join("×")}] to [${to.join("×")}]`;
    return { shape: x!.batched ? [x!.shape[0]!, ...to] : to, dtype: "f32" };
  },
  eval: ([x]) => x!.data.slice(),
  emit: ({ w, ins: [x], out, ref, rows }) => forEach(w, out.batched ? rows : null, out.shape, (i) => w.writeLine(`${ref(out)}[${i}] = ${ref(x!)}[${i}];`)),
  grad: (g, node, dy) => {
    const x = g.value(node.inputs[0]!);
    return [g.add("reshape", [dy!], { shape: x.batched ? x.shape.slice(1) : x.shape }, `d${x.name}`)];
  },
  describe: (_n, [x], out) => `${out.name} = ${x!.name} as [${(out.batched ? out.shape.slice(1) : out.shape).join("×")}] per sample (row-major: NHWC order)`,
  flops: () => 0,
};
