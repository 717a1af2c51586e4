// z + b, with b broadcast over rows; its gradient passes dy through and sums it over rows.
import type { OpDef } from "../op.ts";
import { sameOp } from "../../export/rule.ts";
import { forRange } from "../loops.ts";
import { writeSumRowsWasm } from "./sum-rows-wasm.ts";

export const bias_add: OpDef = {
  name: "bias_add",
  shape: ([z, b]) =>
    z!.shape.length === 2 && b!.shape.length === 1 && z!.shape[1] === b!.shape[0]
      ? { shape: z!.shape, dtype: "f32" }
      : `bias [${b!.shape}] does not fit [${z!.shape}]`,
  eval: ([z, b]) => z!.data.map((v, i) => v + b!.data[i % b!.shape[0]!]!),
  emit: ({ w, ins: [z, b], out, ref, rows }) => {
    const c = b!.shape[0]!;
    forRange(w, "r", rows, () => {
      forRange(w, "j", c, () => w.writeLine(`${ref(out)}[r * ${c} + j] = ${ref(z!)}[r * ${c} + j] + ${ref(b!)}[j];`));
    });
  },
  wasm: ([a, b]) => `(f32x4.add ${a!} ${b!})`,
  scalar: ([z, b]) => `${z} + ${b}`,
  grad: (g, node, dy, needs) => {
    const b = node.inputs[1]!;
    return [dy, needs[1] ? g.add("sum_rows", [dy!], {}, `d${g.value(b).name}`) : null];
  },
  describe: (_n, [z, b], out) => `${out.name} = ${z!.name} + ${b!.name}`,
  flops: (_ins, out) => out.shape[0]! * out.shape[1]!,
  // ONNX broadcasts [C] over the rows of [N, C].
  onnx: sameOp("Add"),
};

/** Σ over rows: [R,C] → [C] (the bias gradient). */
export const sum_rows: OpDef = {
  name: "sum_rows",
  shape: ([a]) => ({ shape: [a!.shape[1]!], dtype: "f32", batched: false }),
  eval: ([a]) => {
    const c = a!.shape[1]!;
    const out = new Float64Array(c);
    a!.data.forEach((v, i) => (out[i % c]! += v));
    return out;
  },
  emit: ({ w, ins: [a], out, ref, rows }) => {
    const c = a!.shape[1]!;
    w.writeLine(`${ref(out)}.fill(0);`);
    forRange(w, "r", rows, () => {
      forRange(w, "j", c, () => w.writeLine(`${ref(out)}[j] += ${ref(a!)}[r * ${c} + j];`));
    });
  },
  // Only for a literal batch: a kernel always sums every row (the inference entry has none).
  wasmKernel: (args) => writeSumRowsWasm(args),
  describe: (_n, [a], out) => `${out.name} = Σ_rows ${a!.name}`,
  flops: ([a]) => a!.shape[0]! * a!.shape[1]!,
};
