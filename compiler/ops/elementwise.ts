// Element-wise activations are defined by a scalar formula: f and its derivative, each once
// as a float64 function (for the interpreter) and once as a code template (for the emitter).
// The forward op, its gradient op and its gradient rule all come from that one definition.

import { z } from "zod";
import { shapeSize } from "../ir/types.ts";
import type { Attrs, Helper, OpDef } from "./op.ts";
import type { OnnxRule } from "../export/rule.ts";
import { forEach } from "./loops.ts";
import { writeElementwiseWasm } from "./elementwise-wasm.ts";


export interface ActivationDef {
  readonly name: string;
  /** Attributes and their defaults (e.g. `alpha`); an empty strict object when there are none. */
  readonly attrs?: z.ZodObject;
  /** The math for comments, in terms of `x`. */
  readonly math: string;
  readonly f: (x: number, a: Attrs) => number;
  readonly fCode: (x: string, a: Attrs) => string;
  /** f′ given the input x and the output y = f(x). */
  readonly df: (x: number, y: number, a: Attrs) => number;
  readonly dfCode: (x: string, y: string, a: Attrs) => string;
  /** What f′ reads: the output when that is cheaper (sigmoid: y·(1−y)), else the input. */
  readonly uses: "x" | "y";
  /** A module-level function fCode calls, where one expression would repeat work (tanh). */
  readonly helper?: Helper;
  /** f as ONNX nodes (`netspec export`); usually one operator: `sameOp("Relu")`. */
  readonly onnx?: OnnxRule;
  /** f over four lanes, as WebAssembly text (OpDef.wasm); absent where SIMD has no cheap form (eˣ). */
  readonly fWasm?: (x: string, a: Attrs, local: (expr: string) => string) => string;
  /** f′ over four lanes, from x or y as `uses` says (the other is not given). */
  readonly dfWasm?: (x: string, y: string, a: Attrs, local: (expr: string) => string) => string;
}

export interface Activation {
  readonly forward: OpDef;
  readonly backward: OpDef;
  readonly def: ActivationDef;
}


export function defineActivation(def: ActivationDef): Activation {
  const sameShape: OpDef["shape"] = (ins) => ({ shape: ins[0]!.shape, dtype: "f32" });
  const gradName = `${def.name}_grad`;
  // Four lanes of f and of dy · f′ (OpDef.wasm), where SIMD has them; each is also a standalone kernel.
  const fWasm: OpDef["wasm"] = def.fWasm && (([v], a, local) => def.fWasm!(v!, a, local));
  const dfWasm: OpDef["wasm"] = def.dfWasm &&
    (([dy, s], a, local) => `(f32x4.mul ${dy!} ${def.uses === "y" ? def.dfWasm!("", s!, a, local) : def.dfWasm!(s!, "", a, local)})`);
  const forward: OpDef = {
    name: def.name,
    attrs: def.attrs ?? z.strictObject({}),
    shape: sameShape,
    eval: ([x], a) => x!.data.map((v) => def.f(v, a)),
    emit: ({ w, ins, out, ref, rows, node }) => {
      const [x] = ins;
      forEach(w, out.batched ? rows : null, out.shape, (i) => {
        w.writeLine(`const v = ${ref(x!)}[${i}];`);
        w.writeLine(`${ref(out)}[${i}] = ${def.fCode("v", node.attrs)};`);
      });
    },
    scalar: ([v], a) => def.fCode(v!, a),
    ...(def.helper ? { helpers: () => [def.helper!] } : {}),
    wasm: fWasm,
    ...(fWasm ? { wasmKernel: (args) => writeElementwiseWasm(args, fWasm) } : {}),
    grad: (g, node, dy) => {
      const x = node.inputs[0]!;
      const saved = def.uses === "y" ? node.output : x;
      const name = `d${g.value(x).name}`;
      return [g.add(gradName, [dy!, saved], node.attrs, name)];
    },
    describe: (_node, ins, out) => `${out.name} = ${def.math.replace(/\bx\b/g, ins[0]!.name)}`,
    flops: (_ins, out) => shapeSize(out.shape),
    onnx: def.onnx,
  };
  // Backward: dx = dy · f′, where f′ reads x or y as declared.
  const backward: OpDef = {
    name: gradName,
    shape: sameShape,
    eval: ([dy, s], a) =>
      dy!.data.map((d, i) => {
        const v = s!.data[i]!;
        return d * (def.uses === "y" ? def.df(NaN, v, a) : def.df(v, NaN, a));
      }),
    emit: ({ w, ins, out, ref, rows, node }) => {
      const [dy, s] = ins;
      forEach(w, out.batched ? rows : null, out.shape, (i) => {
        const local = def.uses === "y" ? "y" : "v";
        w.writeLine(`const ${local} = ${ref(s!)}[${i}];`);
        const d = def.dfCode("v", "y", node.attrs);
        w.writeLine(`${ref(out)}[${i}] = ${ref(dy!)}[${i}] * (${d});`);
      });
    },
    scalar: ([dy, s], a) => `${dy} * (${def.uses === "y" ? def.dfCode("", s!, a) : def.dfCode(s!, "", a)})`,
    wasm: dfWasm,
    ...(dfWasm ? { wasmKernel: (args) => writeElementwiseWasm(args, dfWasm) } : {}),
    describe: (_node, ins, out) =>
      `${out.name} = ${ins[0]!.name} ⊙ ${def.name}′ (from ${def.uses} = ${ins[1]!.name})`,
    flops: (_ins, out) => 2 * shapeSize(out.shape),
  };
  return { forward, backward, def };
}

