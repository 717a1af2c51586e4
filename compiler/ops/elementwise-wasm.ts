// The standalone wasm kernel of an element-wise op that has a `wasm` rule (an activation or
// its gradient, add) and was not fused into a matrix product: every input the shape of the
// output, four elements at a time through the op's own rule; a last partial vector stores
// only its lanes (it reads up to 3 floats past the tensors, which the memory's padding allows).
// An op whose inputs are broadcast (a scalar, a bias row), or a small one, has no such kernel:
// it stays JavaScript.

import { CodeBlockWriter } from "ts-morph";
import { shapeSize } from "../ir/types.ts";
import type { OpDef, WasmKernel, WasmKernelArgs } from "./op.ts";
import { countedLoop, storeLanes, temporaries } from "./wasm.ts";

/** Below this many elements a JavaScript loop costs about what the call into wasm does: it stays JavaScript. */
const MIN_ELEMENTS = 64;

export function writeElementwiseWasm({ node, ins, out, addr }: WasmKernelArgs, rule: NonNullable<OpDef["wasm"]>): WasmKernel | null {
  const n = shapeSize(out.shape);
  if (n < MIN_ELEMENTS || ins.some((v) => shapeSize(v.shape) !== n)) return null;
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  const locals = new Set(["$i i32", "$v v128"]);
  const { local, reset } = temporaries(w, locals);
  const lanes = () => {
    reset();
    w.writeLine(`(local.set $v ${rule(ins.map((v) => `(v128.load offset=${addr(v)} (local.get $i))`), node.attrs, local)})`);
  };
  const whole = n - (n % 4);
  w.writeLine(`;; ${n} elements, 4 at a time`);
  if (whole > 0) {
    countedLoop(w, "i", 0, 4 * whole, 16, () => {
      lanes();
      storeLanes(w, addr(out), "(local.get $i)", "(local.get $v)", 4);
    });
  }
  if (n % 4) {
    w.writeLine(`(local.set $i (i32.const ${4 * whole}))`);
    lanes();
    storeLanes(w, addr(out), "(local.get $i)", "(local.get $v)", n % 4);
  }
  return { locals: [...locals], body: w.toString() };
}
