// sum, mean and max over each sample's elements: a batched [B, n] gives [B]; an unbatched
// tensor gives a scalar. Their gradients broadcast dy back (mean divides it by the count;
// max routes it to the first element that attains the max: ties go to the first index).
// sum_all (every element, batch included, to a scalar) only appears in gradients, where a
// scalar was broadcast.

import { shapeSize, type Shape, type Value } from "../../ir/types.ts";
import { num, type OpDef, type Tensor64 } from "../op.ts";
import { forRange } from "../loops.ts";
import { int, ints, sampleAxes, type OnnxRule } from "../../export/rule.ts";

/** Rows (1 for an unbatched tensor) × elements per row. */
const rowsOf = (v: { shape: Shape; batched: boolean }): [number, number] =>
  v.batched ? [v.shape[0]!, shapeSize(v.shape.slice(1))] : [1, shapeSize(v.shape)];
const rowsOf64 = (t: Tensor64, out: Shape): [number, number] => (out.length === 1 ? [out[0]!, t.data.length / out[0]!] : [1, t.data.length]);
/** Loop over rows: the `rows` bound for batched tensors, nothing for one row. */
const overRows = (w: Parameters<OpDef["emit"]>[0]["w"], v: Value, rows: string, body: (r: string) => void) =>
  v.batched ? forRange(w, "r", rows, () => body("r")) : body("0");

interface Reduction {
  readonly name: "sum" | "mean" | "max";
  readonly init: string;
  readonly step: (acc: string, x: string) => string;
  readonly f: (xs: Float64Array) => number;
  readonly math: string;
  readonly onnx: OnnxRule;
}

function defineReduction(def: Reduction): OpDef {
  return {
    name: def.name,
    shape: ([x]) => (x!.shape.length === 0 || (x!.batched && x!.shape.length === 1) ? `${def.name}() needs a vector per sample (got ${x!.batched ? "a scalar per row" : "a scalar"})` : { shape: x!.batched ? [x!.shape[0]!] : [], dtype: "f32", batched: x!.batched }),
    eval: ([x], _a, out) => {
      const [r, n] = rowsOf64(x!, out);
      return Float64Array.from({ length: r }, (_, k) => def.f(x!.data.subarray(k * n, k * n + n)));
    },
    emit: ({ w, ins: [x], out, ref, rows }) => {
      const n = rowsOf(x!)[1];
      overRows(w, x!, rows, (r) => {
        const base = r === "0" ? "" : `${r} * ${n} + `;
        w.writeLine(`let acc = ${def.init === "first" ? `${ref(x!)}[${base}0]` : def.init};`);
        forRange(w, "j", n, () => w.writeLine(`acc = ${def.step("acc", `${ref(x!)}[${base}j]`)};`));
        w.writeLine(`${ref(out)}[${r}] = ${def.name === "mean" ? `acc / ${n}` : "acc"};`);
      });
    },
    grad: (g, node, dy) => {
      const x = node.inputs[0]!;
      const name = `d${g.value(x).name}`;
      if (def.name === "max") return [g.add("max_grad", [dy!, x], {}, name)];
      return [g.add("broadcast", [dy!, x], { scale: def.name === "mean" ? 1 / rowsOf(g.value(x))[1] : 1 }, name)];
    },
    describe: (_n, [x], out) => `${out.name} = ${def.math}(${x!.name})`,
    flops: ([x]) => shapeSize(x!.shape),
    onnx: def.onnx,
  };
}

/** An ONNX reduction over each sample's axes. At opset 17 ReduceSum takes them as an input, the others as an attribute. */
const reduceOver =
  (opType: string, axesAs: "input" | "attribute"): OnnxRule =>
  (e) => {
    const axes = sampleAxes(e.inValues[0]!);
    if (axesAs === "input") e.node(opType, [e.ins[0]!, e.constant(`${e.out}_axes`, "int64", [axes.length], axes)], { keepdims: int(0) }, e.out);
    else e.node(opType, e.ins, { axes: ints(axes), keepdims: int(0) }, e.out);
  };

export const sum = defineReduction({ name: "sum", init: "0", step: (a, x) => `${a} + ${x}`, f: (xs) => xs.reduce((s, v) => s + v, 0), math: "Σ", onnx: reduceOver("ReduceSum", "input") });
export const mean = defineReduction({ name: "mean", init: "0", step: (a, x) => `${a} + ${x}`, f: (xs) => xs.reduce((s, v) => s + v, 0) / xs.length, math: "mean", onnx: reduceOver("ReduceMean", "attribute") });
export const max = defineReduction({ name: "max", init: "first", step: (a, x) => `${x} > ${a} ? ${x} : ${a}`, f: (xs) => Math.max(...xs), math: "max", onnx: reduceOver("ReduceMax", "attribute") });

/** dy (one value per row, or one for all) times `scale`, spread over every element of x's shape. */
export const broadcast: OpDef = {
  name: "broadcast",
  shape: ([_dy, x]) => ({ shape: x!.shape, dtype: "f32", batched: x!.batched }),
  eval: ([dy, x], a) => {
    const n = x!.data.length / dy!.data.length;
    return x!.data.map((_, i) => dy!.data[Math.floor(i / n)]! * num(a, "scale"));
  },
  emit: ({ w, ins: [dy, x], out, ref, rows, node }) => {
    const n = rowsOf(x!)[1];
    const scale = num(node.attrs, "scale");
    // A scalar dy (the gradient of a total) is the same for every row.
    overRows(w, x!, rows, (r) => {
      w.writeLine(`const d = ${ref(dy!)}[${dy!.shape.length === 0 ? "0" : r}]${scale === 1 ? "" : ` * ${scale}`};`);
      forRange(w, "j", n, () => w.writeLine(`${ref(out)}[${r === "0" ? "" : `${r} * ${n} + `}j] = d;`));
    });
  },
  describe: (node, [dy, x], out) => `${out.name} = ${dy!.name}${num(node.attrs, "scale") === 1 ? "" : ` · ${num(node.attrs, "scale")}`} over every element of ${x!.name}`,
  flops: ([, x]) => shapeSize(x!.shape),
};

/** dy routed to the first element of each row that attains the row's max; 0 elsewhere. */
export const max_grad: OpDef = {
  name: "max_grad",
  shape: ([_dy, x]) => ({ shape: x!.shape, dtype: "f32", batched: x!.batched }),
  eval: ([dy, x]) => {
    const n = x!.data.length / dy!.data.length;
    const dx = new Float64Array(x!.data.length);
    dy!.data.forEach((d, r) => {
      const row = x!.data.subarray(r * n, r * n + n);
      dx[r * n + row.indexOf(Math.max(...row))] = d;
    });
    return dx;
  },
  emit: ({ w, ins: [dy, x], out, ref, rows }) => {
    const n = rowsOf(x!)[1];
    overRows(w, x!, rows, (r) => {
      const o = r === "0" ? "" : `${r} * ${n} + `;
      w.writeLine("let best = 0;");
      forRange(w, "j", n, () => {
        w.writeLine(`if (${ref(x!)}[${o}j] > ${ref(x!)}[${o}best]) best = j;`);
        w.writeLine(`${ref(out)}[${o}j] = 0;`);
      });
      w.writeLine(`${ref(out)}[${o}best] = ${ref(dy!)}[${r}];`);
    });
  },
  describe: (_n, [dy, x], out) => `${out.name} = ${dy!.name} routed to the first max of ${x!.name}`,
  flops: ([, x]) => shapeSize(x!.shape),
};

/** Σ of every element, batch included, to a scalar: the gradient of a broadcast scalar. */
export const sum_all: OpDef = {
  name: "sum_all",
  shape: () => ({ shape: [], dtype: "f32", batched: false }),
  eval: ([x]) => Float64Array.of(x!.data.reduce((s, v) => s + v, 0)),
  emit: ({ w, ins: [x], out, ref, rows }) => {
    const [, n] = rowsOf(x!);
    w.writeLine("let acc = 0;");
    forRange(w, "i", x!.batched ? (n === 1 ? rows : `${rows} * ${n}`) : n, () => w.writeLine(`acc += ${ref(x!)}[i];`));
    w.writeLine(`${ref(out)}[0] = acc;`);
  },
  grad: (g, node, dy) => {
    const x = node.inputs[0]!;
    return [g.add("broadcast", [dy!, x], { scale: 1 }, `d${g.value(x).name}`)];
  },
  describe: (_n, [x], out) => `${out.name} = Σ ${x!.name} (every element)`,
  flops: ([x]) => shapeSize(x!.shape),
};
