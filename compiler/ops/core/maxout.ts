// Maxout: each output unit is the max over K affine pieces. The pieces of unit u sit in
// columns u·K … u·K+K−1 of the preceding dense product; the gradient flows to the argmax.
import { z } from "zod";
import { num, type OpDef } from "../op.ts";
import { int, ints } from "../../export/rule.ts";
import { forRange } from "../loops.ts";

export const maxout: OpDef = {
  name: "maxout",
  attrs: z.strictObject({ pieces: z.number().int().min(2) }),
  shape: ([z_], a) => {
    const k = num(a, "pieces");
    const cols = z_!.shape[1]!;
    return cols % k === 0 ? { shape: [z_!.shape[0]!, cols / k], dtype: "f32" } : `${cols} columns are not a multiple of ${k} pieces`;
  },
  eval: ([z_], a, out) => {
    const k = num(a, "pieces");
    const y = new Float64Array(out[0]! * out[1]!);
    for (let i = 0; i < y.length; i++) y[i] = Math.max(...z_!.data.subarray(i * k, i * k + k));
    return y;
  },
  emit: ({ w, ins: [z_], out, ref, rows, node }) => {
    const k = num(node.attrs, "pieces");
    forRange(w, "i", `${rows} * ${out.shape[1]}`, () => {
      w.writeLine(`let m = ${ref(z_!)}[i * ${k}];`);
      forRange(w, "p", k, () => w.writeLine(`if (${ref(z_!)}[i * ${k} + p] > m) m = ${ref(z_!)}[i * ${k} + p];`));
      w.writeLine(`${ref(out)}[i] = m;`);
    });
  },
  grad: (g, node, dy) => {
    const z_ = node.inputs[0]!;
    return [g.add("maxout_grad", [dy!, z_], node.attrs, `d${g.value(z_).name}`)];
  },
  describe: (node, [z_], out) => `${out.name} = max over ${num(node.attrs, "pieces")} pieces of ${z_!.name}`,
  flops: ([z_]) => z_!.shape[0]! * z_!.shape[1]!,
  // Unit u's pieces are adjacent columns: [N, units·K] → [N, units, K], then the max over K.
  onnx: (e) => {
    const k = num(e.attrs, "pieces");
    const units = e.outValue.shape[1]!;
    const pieces = e.node("Reshape", [e.ins[0]!, e.constant(`${e.out}_pieces_shape`, "int64", [3], [-1, units, k])]);
    e.node("ReduceMax", [pieces], { axes: ints([2]), keepdims: int(0) }, e.out);
  },
};

/** Routes dy to the first piece that attains the max (a subgradient at ties). */
export const maxout_grad: OpDef = {
  name: "maxout_grad",
  shape: ([_dy, z_]) => ({ shape: z_!.shape, dtype: "f32" }),
  eval: ([dy, z_], a) => {
    const k = num(a, "pieces");
    const dz = new Float64Array(z_!.data.length);
    dy!.data.forEach((d, i) => {
      const piece = z_!.data.subarray(i * k, i * k + k);
      dz[i * k + piece.indexOf(Math.max(...piece))] = d;
    });
    return dz;
  },
  emit: ({ w, ins: [dy, z_], out, ref, rows, node }) => {
    const k = num(node.attrs, "pieces");
    forRange(w, "i", `${rows} * ${dy!.shape[1]}`, () => {
      w.writeLine("let best = 0;");
      forRange(w, "p", k, () => {
        w.writeLine(`if (${ref(z_!)}[i * ${k} + p] > ${ref(z_!)}[i * ${k} + best]) best = p;`);
        w.writeLine(`${ref(out)}[i * ${k} + p] = 0;`);
      });
      w.writeLine(`${ref(out)}[i * ${k} + best] = ${ref(dy!)}[i];`);
    });
  },
  describe: (_n, [dy, z_], out) => `${out.name} = ${dy!.name} routed to the argmax piece of ${z_!.name}`,
  flops: ([_dy, z_]) => z_!.shape[0]! * z_!.shape[1]!,
};
