// The dense product z = x·W and the two products its gradient needs:
// dx = dz·Wᵀ (matmul_nt) and dW = xᵀ·dz (matmul_tn). Matrices are row-major. All three are
// emitted by the register-blocked kernel (gemm-kernel.ts); fuse may add an epilogue.
import type { Shape } from "../../ir/types.ts";
import type { OpDef } from "../op.ts";
import { writeGemm } from "./gemm-kernel.ts";
import { ExportError } from "../../export/rule.ts";
import { writeGemmWasm } from "./gemm-wasm.ts";

const dims = (s: Shape): [number, number] => [s[0]!, s[1]!];
const matShape = (want: string, ok: boolean, shape: Shape, batched?: boolean): ReturnType<OpDef["shape"]> =>
  ok ? { shape, dtype: "f32", batched } : `matrix shapes do not fit ${want}`;

export const matmul: OpDef = {
  name: "matmul",
  shape: ([a, b]) =>
    matShape(`[R,K]·[K,C] (got [${a!.shape}]·[${b!.shape}])`, a!.shape[1] === b!.shape[0], [a!.shape[0]!, b!.shape[1]!]),
  eval: ([a, b]) => {
    const [r, k] = dims(a!.shape);
    const c = b!.shape[1]!;
    const z = new Float64Array(r * c);
    for (let i = 0; i < r; i++)
      for (let p = 0; p < k; p++) for (let j = 0; j < c; j++) z[i * c + j]! += a!.data[i * k + p]! * b!.data[p * c + j]!;
    return z;
  },
  emit: (args) => writeGemm(args, { base: "matmul", steps: [] }),
  wasmKernel: (args) => writeGemmWasm(args, { base: "matmul", steps: [] }),
  grad: (g, node, dy, needs) => {
    const [x, wt] = node.inputs as [number, number];
    return [
      needs[0] ? g.add("matmul_nt", [dy!, wt], {}, `d${g.value(x).name}`) : null,
      needs[1] ? g.add("matmul_tn", [x, dy!], {}, `d${g.value(wt).name}`) : null,
    ];
  },
  describe: (_n, [a, b], out) => `${out.name} = ${a!.name}·${b!.name}  [${a!.shape.join("×")}]·[${b!.shape.join("×")}]`,
  flops: ([a, b]) => 2 * a!.shape[0]! * a!.shape[1]! * b!.shape[1]!,
  onnx: (e) => {
    const b = e.inValues[1]!;
    // [K, rows]·[rows, C] sums over the batch: no per-row model computes that.
    if (b.batched) throw new ExportError(`${e.outValue.name} multiplies by the batch ${b.name} from the right; the ONNX model's batch size is not fixed`);
    e.node("MatMul", e.ins, undefined, e.out);
  },
};

/** a·bᵀ: [R,C]·[K,C]ᵀ → [R,K] (the input gradient dz·Wᵀ). */
export const matmul_nt: OpDef = {
  name: "matmul_nt",
  shape: ([a, b]) =>
    matShape(`[R,C]·[K,C]ᵀ (got [${a!.shape}], [${b!.shape}])`, a!.shape[1] === b!.shape[1], [a!.shape[0]!, b!.shape[0]!]),
  eval: ([a, b]) => {
    const [r, c] = dims(a!.shape);
    const k = b!.shape[0]!;
    const z = new Float64Array(r * k);
    for (let i = 0; i < r; i++)
      for (let p = 0; p < k; p++) for (let j = 0; j < c; j++) z[i * k + p]! += a!.data[i * c + j]! * b!.data[p * c + j]!;
    return z;
  },
  emit: (args) => writeGemm(args, { base: "matmul_nt", steps: [] }),
  wasmKernel: (args) => writeGemmWasm(args, { base: "matmul_nt", steps: [] }),
  describe: (_n, [a, b], out) => `${out.name} = ${a!.name}·${b!.name}ᵀ`,
  flops: ([a, b]) => 2 * a!.shape[0]! * a!.shape[1]! * b!.shape[0]!,
};

/** aᵀ·b: [R,K]ᵀ·[R,C] → [K,C] (the weight gradient xᵀ·dz); sums over the batch. */
export const matmul_tn: OpDef = {
  name: "matmul_tn",
  shape: ([a, b]) =>
    matShape(`[R,K]ᵀ·[R,C] (got [${a!.shape}], [${b!.shape}])`, a!.shape[0] === b!.shape[0], [a!.shape[1]!, b!.shape[1]!], false),
  eval: ([a, b]) => {
    const [r, k] = dims(a!.shape);
    const c = b!.shape[1]!;
    const z = new Float64Array(k * c);
    for (let i = 0; i < r; i++)
      for (let p = 0; p < k; p++) for (let j = 0; j < c; j++) z[p * c + j]! += a!.data[i * k + p]! * b!.data[i * c + j]!;
    return z;
  },
  emit: (args) => writeGemm(args, { base: "matmul_tn", steps: [] }),
  wasmKernel: (args) => writeGemmWasm(args, { base: "matmul_tn", steps: [] }),
  describe: (_n, [a, b], out) => `${out.name} = ${a!.name}ᵀ·${b!.name}`,
  flops: ([a, b]) => 2 * a!.shape[0]! * a!.shape[1]! * b!.shape[1]!,
};
