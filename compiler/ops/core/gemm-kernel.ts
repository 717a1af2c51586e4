// The register-blocked kernel behind every matrix product. In V8 the cost of a product
// tracks array accesses per multiply-add, so each block keeps MB×NB accumulators in locals
// and reads MB + NB elements per MB·NB multiply-adds (DESIGN.md, Performance). Remainder
// rows and columns get their own smaller blocks, generated for the exact literal shapes.

import type { Value } from "../../ir/types.ts";
import type { EmitArgs, OpDef } from "../op.ts";
import { apply, leaf, render, type Expr } from "./epilogue.ts";
import type { GemmAttrs, Operand } from "./gemm.ts";

/**
 * Rows × columns of accumulators per block. 2×4 measured best here (DESIGN.md; rechecked
 * against 4×4, 2×8, 4×2, 1×8, 3×4, 4×8 on a 32×64·64×64 product). Loops stay rolled: fully
 * unrolling the inner loop of small layers (≤ 8 or ≤ 16 terms) measured no gain on iris.
 */
const MB = 2;
const NB = 4;
/** Fewest output columns for which sparse inputs are gathered first (see writeGemm). */
const GATHER_MIN_COLUMNS = 32;

/**
 * C[M×N] = A·B, where A(m, p) = a[m·aRowStride + p·aStepStride] and
 * B(p, n) = b[p·bStepStride + n·bColStride]. M and P are literals, or `rows` when inferring.
 */
interface Layout {
  readonly M: string;
  readonly N: number;
  readonly P: string;
  readonly aRowStride: string;
  readonly aStepStride: string;
  readonly bStepStride: number;
  readonly bColStride: number;
}

function layout(base: GemmAttrs["base"], [a, b]: readonly Value[], rows: string): Layout {
  const [a0, a1] = [a!.shape[0]!, a!.shape[1]!];
  const [b0, b1] = [b!.shape[0]!, b!.shape[1]!];
  // The batch dimension is `rows` (a variable when inferring); the others are literals.
  const batch = (d: number, isBatch: boolean) => (isBatch ? rows : `${d}`);
  switch (base) {
    case "matmul": // x[R,K]·W[K,N]
      return { M: batch(a0, a!.batched), N: b1, P: `${a1}`, aRowStride: `${a1}`, aStepStride: "1", bStepStride: b1, bColStride: 1 };
    case "matmul_nt": // dz[R,C]·W[K,C]ᵀ
      return { M: batch(a0, a!.batched), N: b0, P: `${a1}`, aRowStride: `${a1}`, aStepStride: "1", bStepStride: 1, bColStride: b1 };
    case "matmul_tn": // x[R,K]ᵀ·dz[R,C]
      return { M: `${a1}`, N: b1, P: batch(a0, a!.batched), aRowStride: "1", aStepStride: `${a1}`, bStepStride: b1, bColStride: 1 };
  }
}

const isLiteral = (x: string | number): boolean => /^\d+$/.test(`${x}`);

/** `v·k`, folded when either is a literal, so the generated indices stay readable. */
const term = (v: string | number, k: string | number): string => {
  if (`${k}` === "0" || `${v}` === "0") return "0";
  if (isLiteral(v) && isLiteral(k)) return `${Number(v) * Number(k)}`;
  if (`${k}` === "1") return `${v}`;
  if (`${v}` === "1") return `${k}`;
  return `${/^[\w.]+$/.test(`${v}`) ? v : `(${v})`} * ${k}`;
};
/** A sum of index terms with the literal ones added up. */
const sum = (...parts: (string | number)[]): string => {
  const literal = parts.filter(isLiteral).reduce<number>((a, p) => a + Number(p), 0);
  const text = parts.map(String).filter((p) => p !== "0" && p !== "" && !isLiteral(p));
  if (literal) text.push(`${literal}`);
  return text.length ? text.join(" + ") : "0";
};

/** The ops an epilogue names, looked up by the caller (the registry passes its own lookup in). */
export type OpLookup = (name: string) => OpDef;
export const noEpilogue: OpLookup = (name) => {
  throw new Error(`internal: a plain product has no epilogue, yet names ${name}`);
};

export function writeGemm({ w, ins, out, ref, rows, scratch }: EmitArgs, { base, steps }: GemmAttrs, opDef: OpLookup = noEpilogue): void {
  const L = layout(base, ins, rows);
  const [A, B, C] = [ref(ins[0]!), ref(ins[1]!), ref(out)];
  // An input the data shows to be mostly zeros (MNIST pixels: 81%; the CLI measures it)
  // skips all-zero steps: each pair of A's rows first gathers the steps where either is
  // nonzero, and every column block of that pair then runs over those steps only.
  const skipZeros = ins[0]!.kind === "input" && ins[0]!.sparse === true;
  // Gathering pays for itself once a row pair has enough column blocks to reuse it (measured:
  // iris' 6 columns ran 35% slower with it, mnist's 128 over twice as fast).
  const sparse = skipZeros && isLiteral(L.P) && L.N >= GATHER_MIN_COLUMNS
    ? { step: scratch("nzStep", "Int32Array", Number(L.P)), a0: scratch("nzA0", "Float32Array", Number(L.P)), a1: scratch("nzA1", "Float32Array", Number(L.P)) }
    : null;
  const fullCols = L.N - (L.N % NB);
  const callsHelpers = steps.some((s) => (opDef(s.op).helpers?.(s.attrs) ?? []).length > 0);
  const rowAcc = callsHelpers ? scratch("rowAcc", "Float64Array", NB) : "";
  // Locals: A's and C's row offsets in the current row block (`rowA0`, `rowC0`, …), B's
  // offset at step p (`colB`), A's and B's elements at that step (`a0`, `u0`, …), and the
  // accumulators of C (`c00`, …). The IR builder keeps value names clear of them.
  const rowA = (i: number) => `rowA${i}`;
  const rowC = (i: number) => `rowC${i}`;

  /** An epilogue operand at output element `idx` (column `col`): the running value, an input's element, or an inlined op. */
  const operand = (o: Operand, running: Expr, idx: string, col: string): Expr => {
    if ("acc" in o) return running;
    if ("input" in o) {
      const v = ins[o.input]!;
      return leaf(`${ref(v)}[${v.shape.length === 1 ? col : idx}]`);
    }
    const inline = o.inline;
    const args = inline.operands.map((x) => operand(x, running, idx, col));
    return leaf(`(${opDef(inline.op).scalar!(args.map((a) => render(a).at(-1)!), inline.attrs)})`);
  };
  /** The element's value: the accumulator through every epilogue step. */
  const epilogue = (accumulator: string, idx: string, col: string): Expr =>
    steps.reduce<Expr>((running, s) => {
      const rule = opDef(s.op).scalar!;
      return apply((operands) => rule(operands, s.attrs), s.operands.map((o) => operand(o, running, idx, col)));
    }, leaf(accumulator));

  const block = (mb: number, nb: number, n: string) => {
    const acc = (i: number, j: number) => `c${i}${j}`;
    const gathered = sparse !== null && mb === MB;
    const as = Array.from({ length: mb }, (_, i) => `a${i}`);
    w.writeLine(`let ${Array.from({ length: mb * nb }, (_, k) => `${acc(Math.floor(k / nb), k % nb)} = 0`).join(", ")};`);
    w.write(gathered ? "for (let q = 0; q < nnz; q++)" : `for (let p = 0; p < ${L.P}; p++)`).block(() => {
      if (gathered) w.writeLine(`const p = ${sparse.step}[q], a0 = ${sparse.a0}[q], a1 = ${sparse.a1}[q];`);
      else w.writeLine(`const ${as.map((x, i) => `${x} = ${A}[${sum(rowA(i), term("p", L.aStepStride))}]`).join(", ")};`);
      if (skipZeros && !gathered) w.writeLine(`if (${as.map((x) => `${x} === 0`).join(" && ")}) continue;`);
      w.writeLine(`const colB = ${sum(term("p", L.bStepStride), term(n, L.bColStride))};`);
      w.writeLine(`const ${Array.from({ length: nb }, (_, j) => `u${j} = ${B}[${sum("colB", j * L.bColStride)}]`).join(", ")};`);
      for (let i = 0; i < mb; i++) w.writeLine(Array.from({ length: nb }, (_, j) => `${acc(i, j)} += a${i} * u${j};`).join(" "));
    });
    for (let i = 0; i < mb; i++) {
      w.writeLine(`const ${rowC(i)} = ${sum(term(i === 0 ? "m" : `m + ${i}`, L.N), n)};`);
      if (callsHelpers) {
        // The row's accumulators go to a float64 scratch (no rounding), then one loop runs the
        // epilogue over them: a helper is called from one place per row, not once per
        // accumulator. (V8 inlines within a budget per caller; 8 call sites a block used it up
        // and cost deep_tanh 10%.)
        w.writeLine(Array.from({ length: nb }, (_, j) => `${rowAcc}[${j}] = ${acc(i, j)};`).join(" "));
        w.write(`for (let j = 0; j < ${nb}; j++)`).block(() => {
          const lines = render(epilogue(`${rowAcc}[j]`, `${rowC(i)} + j`, sum(n, "j")));
          lines[lines.length - 1] = `${C}[${rowC(i)} + j] = ${lines.at(-1)};`;
          lines.forEach((l) => w.writeLine(l));
        });
        continue;
      }
      for (let j = 0; j < nb; j++) {
        const idx = sum(rowC(i), j);
        const lines = render(epilogue(acc(i, j), idx, sum(n, j)));
        lines[lines.length - 1] = `${C}[${idx}] = ${lines.at(-1)};`;
        if (lines.length === 1) w.writeLine(lines[0]!);
        else w.block(() => lines.forEach((l) => w.writeLine(l)));
      }
    }
  };

  const rowBlock = (mb: number) => {
    for (let i = 0; i < mb; i++) w.writeLine(`const ${rowA(i)} = ${term(i === 0 ? "m" : `m + ${i}`, L.aRowStride)};`);
    if (sparse && mb === MB) {
      w.writeLine("let nnz = 0;");
      w.write(`for (let p = 0; p < ${L.P}; p++)`).block(() => {
        w.writeLine(`const a0 = ${A}[${sum(rowA(0), term("p", L.aStepStride))}], a1 = ${A}[${sum(rowA(1), term("p", L.aStepStride))}];`);
        w.write("if (a0 !== 0 || a1 !== 0)").block(() => {
          w.writeLine(`${sparse.step}[nnz] = p;`);
          w.writeLine(`${sparse.a0}[nnz] = a0;`);
          w.writeLine(`${sparse.a1}[nnz] = a1;`);
          w.writeLine("nnz++;");
        });
      });
    }
    // One column block needs no loop: its columns start at 0.
    if (fullCols === NB) w.block(() => block(mb, NB, "0"));
    else if (fullCols > 0) w.write(`for (let n = 0; n < ${fullCols}; n += ${NB})`).block(() => block(mb, NB, "n"));
    if (L.N % NB) w.block(() => block(mb, L.N % NB, `${fullCols}`));
  };

  w.writeLine(`// ${MB}×${NB} register blocks over [${L.M}×${L.N}], ${L.P} terms each${skipZeros ? "; steps where the input is zero are skipped" : ""}`);
  if (isLiteral(L.M)) {
    // Literal rows: the loop over row blocks, then the rows left over; a single one gets no loop.
    const M = Number(L.M);
    const tail = M % MB;
    if (M >= MB) w.write(`for (let m = 0; m < ${M - tail}; m += ${MB})`).block(() => rowBlock(MB));
    if (tail === 1) w.block(() => { w.writeLine(`const m = ${M - 1};`); rowBlock(1); });
    else if (tail > 1) w.write(`for (let m = ${M - tail}; m < ${M}; m++)`).block(() => rowBlock(1));
  } else {
    w.writeLine("let m = 0;");
    w.write(`for (; m + ${MB - 1} < ${L.M}; m += ${MB})`).block(() => rowBlock(MB));
    w.write(`for (; m < ${L.M}; m++)`).block(() => rowBlock(1));
  }
}
