// Weight penalties: l2 adds ½·λ·ΣW² (gradient λ·W), l1 adds λ·Σ|W| (subgradient λ·sign(W)).
// Both at once is the elastic net. λ already includes the layer's multiplier.
import { z } from "zod";
import { shapeSize } from "../../ir/types.ts";
import { num, type OpDef } from "../op.ts";
import { forEach } from "../loops.ts";
import { f32x4, indicator, splat } from "../wasm.ts";

interface Penalty {
  readonly name: "l1" | "l2";
  readonly math: string;
  readonly term: (w: number) => number;
  readonly termCode: (w: string) => string;
  readonly d: (w: number) => number;
  readonly dCode: (w: string) => string;
  /** d over four lanes (OpDef.wasm). */
  readonly dWasm: (w: string, local: (expr: string) => string) => string;
}

function definePenalty(p: Penalty): { forward: OpDef; backward: OpDef } {
  const gradName = `${p.name}_grad`;
  const forward: OpDef = {
    name: p.name,
    attrs: z.strictObject({ lambda: z.number().nonnegative() }),
    shape: () => ({ shape: [], dtype: "f32", batched: false }),
    eval: ([wt], a) => Float64Array.of(num(a, "lambda") * wt!.data.reduce((s, v) => s + p.term(v), 0)),
    emit: ({ w, ins: [wt], out, ref, node }) => {
      w.writeLine("let total = 0;");
      forEach(w, null, wt!.shape, (i) => w.writeLine(`total += ${p.termCode(`${ref(wt!)}[${i}]`)};`));
      w.writeLine(`${ref(out)}[0] = ${num(node.attrs, "lambda")} * total;`);
    },
    unitGradient: "required",
    grad: (g, node) => {
      const wt = node.inputs[0]!;
      return [g.add(gradName, [wt], node.attrs, `d${g.value(wt).name}_${p.name}`)];
    },
    describe: (node, [wt], out) => `${out.name} = ${num(node.attrs, "lambda")}·${p.math.replace(/\bW\b/g, wt!.name)}`,
    flops: ([wt]) => 2 * shapeSize(wt!.shape),
  };
  const backward: OpDef = {
    name: gradName,
    shape: ([wt]) => ({ shape: wt!.shape, dtype: "f32" }),
    eval: ([wt], a) => wt!.data.map((v) => num(a, "lambda") * p.d(v)),
    scalar: ([wt], a) => `${num(a, "lambda")} * ${p.dCode(wt!)}`,
    wasm: ([wt], a, local) => f32x4("mul", splat(num(a, "lambda")), p.dWasm(wt!, local)),
    emit: ({ w, ins: [wt], out, ref, node }) => {
      const lambda = num(node.attrs, "lambda");
      forEach(w, null, wt!.shape, (i) => w.writeLine(`${ref(out)}[${i}] = ${lambda} * ${p.dCode(`${ref(wt!)}[${i}]`)};`));
    },
    describe: (node, [wt], out) => `${out.name} = ${num(node.attrs, "lambda")}·${p.name}′(${wt!.name})`,
    flops: ([wt]) => shapeSize(wt!.shape),
  };
  return { forward, backward };
}

export const l2 = definePenalty({
  name: "l2",
  math: "½ΣW²",
  term: (v) => 0.5 * v * v,
  termCode: (v) => `0.5 * ${v} * ${v}`,
  d: (v) => v,
  dCode: (v) => v,
  dWasm: (v) => v,
});

export const l1 = definePenalty({
  name: "l1",
  math: "Σ|W|",
  term: (v) => Math.abs(v),
  termCode: (v) => `Math.abs(${v})`,
  d: (v) => Math.sign(v),
  dCode: (v) => `Math.sign(${v})`,
  dWasm: (v, local) => {
    const w = local(v);
    return f32x4("sub", indicator(f32x4("gt", w, splat(0))), indicator(f32x4("lt", w, splat(0))));
  },
});
