// w[i]: element i of each sample's vector ([n] → a scalar; batched [B, n] → [B]). Its
// gradient scatters dy back into zeros of the vector's shape.

import { z } from "zod";
import { shapeSize, type Value } from "../../ir/types.ts";
import { num, type OpDef } from "../op.ts";
import { forRange } from "../loops.ts";
import { int } from "../../export/rule.ts";

const width = (v: Value) => (v.batched ? v.shape[1] : v.shape[0]);

export const index: OpDef = {
  name: "index",
  attrs: z.strictObject({ i: z.number().int().min(0) }),
  shape: ([x], a) => {
    const perSample = x!.batched ? x!.shape.slice(1) : x!.shape;
    if (perSample.length !== 1) return `only a vector can be indexed (got ${perSample.length === 0 ? "a scalar" : `[${perSample.join("×")}]`})`;
    const i = num(a, "i");
    if (i < 0 || i >= perSample[0]!) return `index ${i} is out of range for [${perSample[0]}] (indices start at 0)`;
    return { shape: x!.batched ? [x!.shape[0]!] : [], dtype: "f32", batched: x!.batched };
  },
  eval: ([x], a, out) => {
    const n = x!.data.length / Math.max(shapeSize(out), 1);
    return Float64Array.from({ length: shapeSize(out) }, (_, r) => x!.data[r * n + num(a, "i")]!);
  },
  emit: ({ w, ins: [x], out, ref, rows, node }) => {
    const i = num(node.attrs, "i");
    if (!x!.batched) return void w.writeLine(`${ref(out)}[0] = ${ref(x!)}[${i}];`);
    forRange(w, "r", rows, () => w.writeLine(`${ref(out)}[r] = ${ref(x!)}[r * ${width(x!)} + ${i}];`));
  },
  grad: (g, node, dy) => {
    const x = node.inputs[0]!;
    return [g.add("index_grad", [dy!, x], node.attrs, `d${g.value(x).name}_${num(node.attrs, "i")}`)];
  },
  describe: (node, [x], out) => `${out.name} = ${x!.name}[${num(node.attrs, "i")}]`,
  flops: () => 0,
  // A scalar index drops the axis, as w[i] does.
  onnx: (e) => e.node("Gather", [e.ins[0]!, e.constant(`${e.out}_at`, "int64", [], [num(e.attrs, "i")])], { axis: int(e.inValues[0]!.batched ? 1 : 0) }, e.out),
};

/** dy written at element i of zeros shaped like x. */
export const index_grad: OpDef = {
  name: "index_grad",
  shape: ([_dy, x]) => ({ shape: x!.shape, dtype: "f32", batched: x!.batched }),
  eval: ([dy, x], a) => {
    const dx = new Float64Array(x!.data.length);
    const n = x!.data.length / dy!.data.length;
    dy!.data.forEach((d, r) => (dx[r * n + num(a, "i")] = d));
    return dx;
  },
  emit: ({ w, ins: [dy, x], out, ref, rows, node }) => {
    const i = num(node.attrs, "i");
    w.writeLine(`${ref(out)}.fill(0);`);
    if (!x!.batched) return void w.writeLine(`${ref(out)}[${i}] = ${ref(dy!)}[0];`);
    forRange(w, "r", rows, () => w.writeLine(`${ref(out)}[r * ${width(x!)} + ${i}] = ${ref(dy!)}[r];`));
  },
  describe: (node, [dy, x], out) => `${out.name} = ${dy!.name} at [${num(node.attrs, "i")}] of zeros like ${x!.name}`,
  flops: () => 0,
};
