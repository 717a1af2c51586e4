// The wasm SIMD kernel behind every matrix product (the `wasmKernel` rule of matmul, matmul_nt,
// matmul_tn and gemm): the same product and fused epilogue as gemm-kernel.ts, four float32
// lanes at a time, every bound and address a literal. Two shapes of loop:
//   - B contiguous along the output's columns (x·W, xᵀ·dz): 4 rows × 8 columns of
//     accumulators; each step splats one element of A per row and loads two vectors of B.
//   - B contiguous along the summed index (dz·Wᵀ): 2 rows × 4 columns of dot products over
//     4-lane chunks, reduced at the end by a 4×4 transpose into one vector of columns.
// Baseline simd128 has no fused multiply-add: each term is an f32x4.mul and an f32x4.add, so
// sums round in float32 (the JS kernel sums in float64). Partial vectors (a shape not a
// multiple of 4) read up to 3 elements past a row, which the memory's padding allows, and
// store only their own lanes.

import { CodeBlockWriter } from "ts-morph";
import type { Value } from "../../ir/types.ts";
import type { WasmKernel, WasmKernelArgs } from "../op.ts";
import { countedLoop, storeLanes, temporaries } from "../wasm.ts";
import { noEpilogue, type OpLookup } from "./gemm-kernel.ts";
import type { GemmAttrs, Operand } from "./gemm.ts";

const ROWS_N = 4; // rows per block, column-vector kernel
const VECS_N = 2; // 4-lane vectors of columns per block, column-vector kernel
const ROWS_D = 2; // rows per block, dot-product kernel
const COLS_D = 4; // columns per block, dot-product kernel

/** C[M×N] = A·B, A(m,p) at a + 4·(m·sam + p·sap), B(p,n) at b + 4·(p·sbp + n·sbn). */
interface Product {
  readonly M: number;
  readonly N: number;
  readonly P: number;
  readonly sam: number;
  readonly sap: number;
  readonly sbp: number;
  readonly sbn: number;
}

function product(base: GemmAttrs["base"], [a, b]: readonly Value[]): Product {
  const [a0, a1] = [a!.shape[0]!, a!.shape[1]!];
  const [b0, b1] = [b!.shape[0]!, b!.shape[1]!];
  if (base === "matmul") return { M: a0, N: b1, P: a1, sam: a1, sap: 1, sbp: b1, sbn: 1 };
  if (base === "matmul_nt") return { M: a0, N: b0, P: a1, sam: a1, sap: 1, sbp: 1, sbn: b1 };
  return { M: a1, N: b1, P: a0, sam: 1, sap: a1, sbp: b1, sbn: 1 };
}

const get = (l: string) => `(local.get $${l})`;
const i32 = (k: number) => `(i32.const ${k})`;
const ZERO = "(v128.const i32x4 0 0 0 0)";
/** Lanes of a and b (0–3 from a, 4–7 from b) as one i8x16.shuffle. */
const shuffle = (a: string, b: string, lanes: number[]) =>
  `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((k) => 4 * l + k)).join(" ")} ${a} ${b})`;

/** The kernel's text for a product with an epilogue, or null when an epilogue op has no wasm rule. */
export function writeGemmWasm({ ins, out, addr }: WasmKernelArgs, { base, steps }: GemmAttrs, opDef: OpLookup = noEpilogue): WasmKernel | null {
  const hasRule = (o: Operand): boolean => !("inline" in o) || (opDef(o.inline.op).wasm !== undefined && o.inline.operands.every(hasRule));
  if (!steps.every((s) => opDef(s.op).wasm !== undefined && s.operands.every(hasRule))) return null;
  const L = product(base, ins);
  const [A, B, C] = [addr(ins[0]!), addr(ins[1]!), addr(out)];
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  const locals = new Set<string>(["$m i32", "$n i32", "$pa i32", "$pb i32", "$end i32", "$pc i32", "$pn i32", "$v v128"]);
  const v128 = (name: string) => (locals.add(`$${name} v128`), name);
  const set = (l: string, e: string) => w.writeLine(`(local.set $${l} ${e})`);
  const { local, reset } = temporaries(w, locals);

  /** Element (m+i, n+4j…) of the epilogue and its store; `lanes` < 4 stores a partial vector. */
  const finish = (value: string, i: number, j: number, lanes: number) => {
    const at = 4 * (i * L.N + 4 * j);
    const operand = (o: Operand): string => {
      if ("acc" in o) return get("v");
      if ("inline" in o) return opDef(o.inline.op).wasm!(o.inline.operands.map(operand), o.inline.attrs, local);
      const v = ins[o.input]!;
      // An operand of the output's shape is read at the same element; a [N] vector at the column.
      return v.shape.length === 1 ? `(v128.load offset=${addr(v) + 16 * j} ${get("pn")})` : `(v128.load offset=${addr(v) + at} ${get("pc")})`;
    };
    set("v", value);
    reset();
    for (const s of steps) set("v", opDef(s.op).wasm!(s.operands.map(operand), s.attrs, local));
    storeLanes(w, C + at, get("pc"), get("v"), lanes);
  };
  const outputIndex = () => {
    set("pn", `(i32.shl ${get("n")} ${i32(2)})`);
    set("pc", `(i32.shl (i32.add (i32.mul ${get("m")} ${i32(L.N)}) ${get("n")}) ${i32(2)})`);
  };

  /** Column-vector kernel: mb rows × nv vectors (lanes in the last one). */
  const columnBlock = (mb: number, nv: number, lanes: number) => {
    const acc = (i: number, j: number) => v128(`c${i}${j}`);
    for (let i = 0; i < mb; i++) for (let j = 0; j < nv; j++) set(acc(i, j), ZERO);
    set("pa", `(i32.mul ${get("m")} ${i32(4 * L.sam)})`);
    set("pb", `(i32.shl ${get("n")} ${i32(2)})`);
    set("end", `(i32.add ${get("pb")} ${i32(4 * L.P * L.sbp)})`);
    w.write("(loop $p").indent(() => {
      for (let i = 0; i < mb; i++) set(v128(`a${i}`), `(f32x4.splat (f32.load offset=${A + 4 * i * L.sam} ${get("pa")}))`);
      for (let j = 0; j < nv; j++) set(v128(`b${j}`), `(v128.load offset=${B + 16 * j} ${get("pb")})`);
      for (let i = 0; i < mb; i++)
        for (let j = 0; j < nv; j++) set(acc(i, j), `(f32x4.add ${get(acc(i, j))} (f32x4.mul ${get(`a${i}`)} ${get(`b${j}`)}))`);
      set("pa", `(i32.add ${get("pa")} ${i32(4 * L.sap)})`);
      w.writeLine(`(br_if $p (i32.ne (local.tee $pb (i32.add ${get("pb")} ${i32(4 * L.sbp)})) ${get("end")})))`);
    });
    outputIndex();
    for (let i = 0; i < mb; i++) for (let j = 0; j < nv; j++) finish(get(acc(i, j)), i, j, j === nv - 1 ? lanes : 4);
  };

  /** Dot-product kernel: mb rows × nb columns, the sum in 4-lane chunks (the last one masked). */
  const dotBlock = (mb: number, nb: number) => {
    const acc = (i: number, j: number) => v128(`c${i}${j}`);
    for (let i = 0; i < mb; i++) for (let j = 0; j < nb; j++) set(acc(i, j), ZERO);
    set("pa", `(i32.mul ${get("m")} ${i32(4 * L.sam)})`);
    set("pb", `(i32.mul ${get("n")} ${i32(4 * L.sbn)})`);
    const chunk = (mask: string | null) => {
      const load = (at: number, base: string) => `(v128.load offset=${at} ${get(base)})`;
      const masked = (e: string) => (mask ? `(v128.and ${e} ${mask})` : e);
      for (let i = 0; i < mb; i++) set(v128(`a${i}`), masked(load(A + 4 * i * L.sam, "pa")));
      for (let j = 0; j < nb; j++) set(v128(`b${j}`), masked(load(B + 4 * j * L.sbn, "pb")));
      for (let i = 0; i < mb; i++)
        for (let j = 0; j < nb; j++) set(acc(i, j), `(f32x4.add ${get(acc(i, j))} (f32x4.mul ${get(`a${i}`)} ${get(`b${j}`)}))`);
    };
    const whole = L.P - (L.P % 4);
    if (whole > 0) {
      set("end", `(i32.add ${get("pa")} ${i32(4 * whole)})`);
      w.write("(loop $p").indent(() => {
        chunk(null);
        set("pb", `(i32.add ${get("pb")} ${i32(16)})`);
        w.writeLine(`(br_if $p (i32.ne (local.tee $pa (i32.add ${get("pa")} ${i32(16)})) ${get("end")})))`);
      });
    }
    if (L.P % 4) {
      w.writeLine(`;; the last ${L.P % 4} term(s): lanes past the row are masked to 0`);
      chunk(`(v128.const i32x4 ${[0, 1, 2, 3].map((k) => (k < L.P % 4 ? -1 : 0)).join(" ")})`);
    }
    outputIndex();
    for (let i = 0; i < mb; i++) {
      // (Σc0, Σc1, Σc2, Σc3): a 4×4 transpose folded into the additions.
      const c = [0, 1, 2, 3].map((j) => (j < nb ? get(acc(i, j)) : ZERO));
      const u0 = local(`(f32x4.add ${shuffle(c[0]!, c[1]!, [0, 4, 1, 5])} ${shuffle(c[0]!, c[1]!, [2, 6, 3, 7])})`);
      const u1 = local(`(f32x4.add ${shuffle(c[2]!, c[3]!, [0, 4, 1, 5])} ${shuffle(c[2]!, c[3]!, [2, 6, 3, 7])})`);
      finish(`(f32x4.add ${shuffle(u0, u1, [0, 1, 4, 5])} ${shuffle(u0, u1, [2, 3, 6, 7])})`, i, 0, nb);
    }
  };

  const loop = (v: string, from: number, to: number, step: number, body: () => void) => countedLoop(w, v, from, to, step, body);
  /** Blocks of mb rows, then the rows left over one at a time. */
  const rows = (mb: number, columnsFor: (rowsPerBlock: number) => () => void) => {
    const whole = L.M - (L.M % mb);
    if (whole > 0) loop("m", 0, whole, mb, columnsFor(mb));
    if (L.M % mb) loop("m", whole, L.M, 1, columnsFor(1));
  };

  if (L.sbn === 1) {
    w.writeLine(`;; ${ROWS_N}×${4 * VECS_N} blocks over [${L.M}×${L.N}], ${L.P} terms each`);
    const wide = 4 * VECS_N;
    const columnsFor = (mb: number) => () => {
      const whole = L.N - (L.N % wide);
      if (whole > 0) loop("n", 0, whole, wide, () => columnBlock(mb, VECS_N, 4));
      const rest = L.N - whole;
      if (rest > 0) loop("n", whole, whole + 1, 1, () => columnBlock(mb, Math.ceil(rest / 4), rest % 4 || 4));
    };
    rows(ROWS_N, columnsFor);
  } else {
    w.writeLine(`;; ${ROWS_D}×${COLS_D} dot-product blocks over [${L.M}×${L.N}], ${L.P} terms each`);
    rows(ROWS_D, (mb) => () => {
      const whole = L.N - (L.N % COLS_D);
      if (whole > 0) loop("n", 0, whole, COLS_D, () => dotBlock(mb, COLS_D));
      if (L.N % COLS_D) loop("n", whole, whole + 1, 1, () => dotBlock(mb, L.N % COLS_D));
    });
  }
  return { locals: [...locals], body: w.toString() };
}
