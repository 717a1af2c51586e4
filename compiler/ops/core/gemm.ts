// gemm: a matrix product (matmul, matmul_nt or matmul_tn) with an element-wise epilogue,
// made by the fuse pass. Its float64 evaluation composes the registered ops' own `eval`s,
// so a fused graph means exactly what the unfused one does.

import type { Shape } from "../../ir/types.ts";
import type { Attrs, Helper, OpDef, Tensor64 } from "../op.ts";
import { writeGemm, type OpLookup } from "./gemm-kernel.ts";
import { writeGemmWasm } from "./gemm-wasm.ts";

/** An epilogue operand: the running value, one of the node's inputs, or an inlined element-wise op. */
export type Operand = { readonly acc: true } | { readonly input: number } | { readonly inline: EpilogueStep };

export interface EpilogueStep {
  readonly op: string;
  readonly attrs: Attrs;
  readonly operands: readonly Operand[];
}

export interface GemmAttrs {
  readonly base: "matmul" | "matmul_nt" | "matmul_tn";
  readonly steps: readonly EpilogueStep[];
}

const attrsOf = (a: Attrs) => a as unknown as GemmAttrs;

/** The gemm op over the ops its epilogues name; the registry passes its lookup in (no import cycle). */
export const defineGemm = (opDef: OpLookup): OpDef => ({
  name: "gemm",
  shape: (ins, a) => opDef(attrsOf(a).base).shape(ins.slice(0, 2), {}),
  eval: (ins, a, out, mode) => {
    const { base, steps } = attrsOf(a);
    let acc: Tensor64 = { shape: out, data: opDef(base).eval(ins.slice(0, 2), {}, out, mode) };
    const resolve = (o: Operand): Tensor64 =>
      "acc" in o ? acc : "input" in o ? ins[o.input]! : apply(o.inline, out);
    const apply = (step: EpilogueStep, shape: Shape): Tensor64 => {
      const operands = step.operands.map(resolve);
      return { shape, data: opDef(step.op).eval(operands, step.attrs, shape, mode) };
    };
    for (const step of steps) acc = apply(step, out);
    return acc.data;
  },
  emit: (args) => writeGemm(args, attrsOf(args.node.attrs), opDef),
  // What the epilogue's ops call (tanh32), inlined operands included.
  helpers: (a) => {
    const of = (s: EpilogueStep): Helper[] => [...(opDef(s.op).helpers?.(s.attrs) ?? []), ...s.operands.flatMap((o) => ("inline" in o ? of(o.inline) : []))];
    return attrsOf(a).steps.flatMap(of);
  },
  wasmKernel: (args) => writeGemmWasm(args, attrsOf(args.node.attrs), opDef),
  describe: (node, ins, out) => {
    const { base, steps } = attrsOf(node.attrs);
    const [a, b] = ins;
    const product = base === "matmul" ? `${a!.name}·${b!.name}` : base === "matmul_nt" ? `${a!.name}·${b!.name}ᵀ` : `${a!.name}ᵀ·${b!.name}`;
    const text = (o: Operand): string =>
      "acc" in o ? "·" : "input" in o ? ins[o.input]!.name : `${o.inline.op}(${o.inline.operands.map(text).join(", ")})`;
    const chain = steps.map((s) => `${s.op}(${s.operands.map(text).join(", ")})`).join(" → ");
    return `${out.name} = ${product} → ${chain}  (fused)`;
  },
  flops: (ins, out, a) => {
    const { base, steps } = attrsOf(a);
    return opDef(base).flops(ins.slice(0, 2), out, {}) + steps.length * out.shape[0]! * out.shape[1]!;
  },
});
