// The wasm kernel of sum_rows (the bias gradient Σ_rows dz): columns four at a time, rows
// summed in order, so each lane rounds exactly as the JS loop's float32 `+=` does.

import { CodeBlockWriter } from "ts-morph";
import type { WasmKernel, WasmKernelArgs } from "../op.ts";
import { storeLanes } from "../wasm.ts";

export function writeSumRowsWasm({ ins: [a], out, addr }: WasmKernelArgs): WasmKernel {
  const [R, C] = [a!.shape[0]!, a!.shape[1]!];
  const [A, Y] = [addr(a!), addr(out)];
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  w.writeLine(`;; [${R}×${C}] → [${C}], 4 columns at a time`);
  for (let n = 0; n < C; n += 4) {
    const lanes = Math.min(4, C - n);
    w.writeLine(`(local.set $acc (v128.load offset=${A + 4 * n} (i32.const 0)))`);
    if (R > 1) {
      w.writeLine(`(local.set $pa (i32.const ${4 * C}))`);
      w.write("(loop $r").indent(() => {
        w.writeLine(`(local.set $acc (f32x4.add (local.get $acc) (v128.load offset=${A + 4 * n} (local.get $pa))))`);
        w.writeLine(`(br_if $r (i32.ne (local.tee $pa (i32.add (local.get $pa) (i32.const ${4 * C}))) (i32.const ${4 * C * R}))))`);
      });
    }
    storeLanes(w, Y + 4 * n, "(i32.const 0)", "(local.get $acc)", lanes);
  }
  return { locals: ["$pa i32", "$acc v128"], body: w.toString() };
}
