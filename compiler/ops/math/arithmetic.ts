// a − b, a · b and a / b, element-wise with scalar broadcasting (a + b is core/add.ts).
// Each gradient is computed at the output's shape and summed back into a broadcast scalar.

import { shapeSize } from "../../ir/types.ts";
import type { GradBuilder, OpDef } from "../op.ts";
import { forEach } from "../loops.ts";
import { at, broadcastShape, onnxBinary, unbroadcast } from "./broadcast.ts";

interface Binary {
  readonly name: string;
  readonly verb: string;
  readonly symbol: string;
  /** The ONNX operator (Sub, Mul, Div). */
  readonly onnx: string;
  readonly f: (a: number, b: number) => number;
  /**
   * ∂out/∂a and ∂out/∂b as IR nodes at the output's shape, given dy, a, b and the name for
   * each gradient (`name(0)` is `da`, or `da_each` when a was a broadcast scalar).
   */
  readonly grad: (g: GradBuilder, dy: number, a: number, b: number, needs: readonly boolean[], name: (k: 0 | 1) => string) => [number | null, number | null];
}

function defineBinary(def: Binary): OpDef {
  return {
    name: def.name,
    shape: broadcastShape(def.verb),
    eval: ([a, b], _attrs, out) => {
      const n = shapeSize(out);
      const pick = (t: { shape: readonly number[]; data: Float64Array }, i: number) => t.data[t.shape.length === 0 ? 0 : i]!;
      return Float64Array.from({ length: n }, (_, i) => def.f(pick(a!, i), pick(b!, i)));
    },
    emit: ({ w, ins: [a, b], out, ref, rows }) =>
      forEach(w, out.batched ? rows : null, out.shape, (i) => w.writeLine(`${ref(out)}[${i}] = ${at(ref(a!), a!, i)} ${def.symbol} ${at(ref(b!), b!, i)};`)),
    grad: (g, node, dy, needs) => {
      const [a, b] = node.inputs as [number, number];
      const out = g.value(node.output);
      const name = (k: 0 | 1) => {
        const v = g.value(node.inputs[k]!);
        return `d${v.name}${v.shape.length === 0 && out.shape.length > 0 ? "_each" : ""}`;
      };
      const [da, db] = def.grad(g, dy!, a, b, needs, name);
      return [da === null ? null : unbroadcast(g, da, a), db === null ? null : unbroadcast(g, db, b)];
    },
    describe: (_n, [a, b], out) => `${out.name} = ${a!.name} ${def.symbol} ${b!.name}`,
    flops: (_ins, out) => shapeSize(out.shape),
    onnx: onnxBinary(def.onnx),
  };
}

export const sub = defineBinary({
  name: "sub",
  onnx: "Sub",
  verb: "subtract",
  symbol: "-",
  f: (a, b) => a - b,
  grad: (g, dy, _a, _b, needs, name) => [needs[0] ? dy : null, needs[1] ? g.add("neg", [dy], {}, name(1)) : null],
});

export const mul = defineBinary({
  name: "mul",
  onnx: "Mul",
  verb: "multiply",
  symbol: "*",
  f: (a, b) => a * b,
  grad: (g, dy, a, b, needs, name) => [
    needs[0] ? g.add("mul", [dy, b], {}, name(0)) : null,
    needs[1] ? g.add("mul", [dy, a], {}, name(1)) : null,
  ],
});

/** d(a/b) = dy/b and −dy·a/b². */
export const div = defineBinary({
  name: "div",
  onnx: "Div",
  verb: "divide",
  symbol: "/",
  f: (a, b) => a / b,
  grad: (g, dy, a, b, needs, name) => {
    const da = needs[0] ? g.add("div", [dy, b], {}, name(0)) : null;
    if (!needs[1]) return [da, null];
    const quotient = g.add("div", [g.add("mul", [dy, a], {}, `${name(1)}_num`), g.add("mul", [b, b], {}, `${name(1)}_den`)], {}, `${name(1)}_q`);
    return [da, g.add("neg", [quotient], {}, name(1))];
  },
});
