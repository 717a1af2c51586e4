// The register-blocked kernel behind every matrix product. In V8 the cost of a product
// tracks array accesses per multiply-add, so each block keeps MB×NB accumulators in locals
// and reads MB + NB elements per MB·NB multiply-adds (DESIGN.md, Performance). Remainder
// rows and columns get their own smaller blocks, generated for the exact literal shapes.

import type { Value } from "../../ir/types.ts";
import type { EmitArgs } from "../op.ts";
import { opDef } from "../registry.ts";
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

/** C[M×N] = A·B where A(m,p) = a[m·sam + p·sap] and B(p,n) = b[p·sbp + n·sbn]. */
interface Layout {
  readonly M: string;
  readonly N: number;
  readonly P: string;
  readonly sam: string;
  readonly sap: string;
  readonly sbp: string;
  readonly sbn: number;
}

function layout(base: GemmAttrs["base"], [a, b]: readonly Value[], rows: string): Layout {
  const [a0, a1] = [a!.shape[0]!, a!.shape[1]!];
  const [b0, b1] = [b!.shape[0]!, b!.shape[1]!];
  // The batch dimension is `rows` (a variable when inferring); the others are literals.
  const batch = (d: number, isBatch: boolean) => (isBatch ? rows : `${d}`);
  switch (base) {
    case "matmul": // x[R,K]·W[K,N]
      return { M: batch(a0, a!.batched), N: b1, P: `${a1}`, sam: `${a1}`, sap: "1", sbp: `${b1}`, sbn: 1 };
    case "matmul_nt": // dz[R,C]·W[K,C]ᵀ
      return { M: batch(a0, a!.batched), N: b0, P: `${a1}`, sam: `${a1}`, sap: "1", sbp: "1", sbn: b1 };
    case "matmul_tn": // x[R,K]ᵀ·dz[R,C]
      return { M: `${a1}`, N: b1, P: batch(a0, a!.batched), sam: "1", sap: `${a1}`, sbp: `${b1}`, sbn: 1 };
  }
}

/** `a + b·k`, folding the trivial cases so the generated indices stay readable. */
const term = (v: string, k: string | number): string => (`${k}` === "0" ? "" : `${k}` === "1" ? v : `${v} * ${k}`);
const sum = (...parts: (string | number)[]): string => {
  const literal = parts.filter((p) => /^\d+$/.test(`${p}`)).reduce<number>((a, p) => a + Number(p), 0);
  const text = parts.map(String).filter((p) => p !== "" && !/^\d+$/.test(p));
  if (literal) text.push(`${literal}`);
  return text.length ? text.join(" + ") : "0";
};

export function writeGemm({ w, ins, out, ref, rows, scratch }: EmitArgs, { base, steps }: GemmAttrs): void {
  const L = layout(base, ins, rows);
  const [A, B, C] = [ref(ins[0]!), ref(ins[1]!), ref(out)];
  // Inputs straight from the data (e.g. MNIST pixels, mostly 0) skip all-zero steps: each
  // pair of A's rows first gathers the steps where either is nonzero, and every column block
  // of that pair then runs over those steps only.
  const skipZeros = ins[0]!.kind === "input";
  // Gathering pays for itself once a row pair has enough column blocks to reuse it (measured:
  // iris' 6 columns ran 35% slower with it, mnist's 128 over twice as fast).
  const sparse = skipZeros && /^\d+$/.test(L.P) && L.N >= GATHER_MIN_COLUMNS
    ? { step: scratch("nzStep", "Int32Array", Number(L.P)), a0: scratch("nzA0", "Float32Array", Number(L.P)), a1: scratch("nzA1", "Float32Array", Number(L.P)) }
    : null;
  const fullCols = L.N - (L.N % NB);

  const operand = (o: Operand, idx: string, col: string): string => {
    if ("acc" in o) return "v";
    if ("input" in o) {
      const v = ins[o.input]!;
      return `${ref(v)}[${v.shape.length === 1 ? col : idx}]`;
    }
    return `(${opDef(o.inline.op).scalar!(o.inline.operands.map((x) => operand(x, idx, col)), o.inline.attrs)})`;
  };

  const block = (mb: number, nb: number, n: string) => {
    const acc = (i: number, j: number) => `c${i}${j}`;
    const gathered = sparse !== null && mb === MB;
    w.writeLine(`let ${Array.from({ length: mb * nb }, (_, k) => `${acc(Math.floor(k / nb), k % nb)} = 0`).join(", ")};`);
    w.write(gathered ? "for (let q = 0; q < nnz; q++)" : `for (let p = 0; p < ${L.P}; p++)`).block(() => {
      const as = Array.from({ length: mb }, (_, i) => `a${i}`);
      if (gathered) w.writeLine(`const p = ${sparse.step}[q], a0 = ${sparse.a0}[q], a1 = ${sparse.a1}[q];`);
      else w.writeLine(`const ${as.map((x, i) => `${x} = ${A}[${sum(`ao${i}`, term("p", L.sap))}]`).join(", ")};`);
      if (skipZeros && !gathered) w.writeLine(`if (${as.map((x) => `${x} === 0`).join(" && ")}) continue;`);
      w.writeLine(`const bo = ${sum(term("p", L.sbp), term(n, L.sbn))};`);
      w.writeLine(`const ${Array.from({ length: nb }, (_, j) => `u${j} = ${B}[${sum("bo", j * L.sbn)}]`).join(", ")};`);
      for (let i = 0; i < mb; i++) w.writeLine(Array.from({ length: nb }, (_, j) => `${acc(i, j)} += a${i} * u${j};`).join(" "));
    });
    for (let i = 0; i < mb; i++) {
      w.writeLine(`const co${i} = ${sum(term(i === 0 ? "m" : `(m + ${i})`, L.N), n)};`);
      for (let j = 0; j < nb; j++) {
        const idx = sum(`co${i}`, j);
        const lines = epilogue(acc(i, j), (o) => operand(o, idx, sum(n, j)));
        lines[lines.length - 1] = `${C}[${idx}] = ${lines.at(-1)};`;
        if (lines.length === 1) w.writeLine(lines[0]!);
        else w.block(() => lines.forEach((l) => w.writeLine(l)));
      }
    }
  };

  /**
   * The epilogue of one element as statements, the last being the value's expression. Steps
   * compose into one expression while each reads the running value once; otherwise the
   * value is bound to a local `v` first (relu reads it twice; tanh updates it in place).
   */
  const epilogue = (start: string, operandOf: (o: Operand) => string): string[] => {
    const lines: string[] = [];
    let expr = start;
    const bind = () => {
      if (expr === "v") return;
      lines.push(`${lines.length ? "" : "let "}v = ${expr};`);
      expr = "v";
    };
    for (const s of steps) {
      const op = opDef(s.op);
      if (s.operands.length === 1 && "acc" in s.operands[0]! && op.inPlace) {
        bind();
        lines.push(...op.inPlace(s.attrs));
        continue;
      }
      const code = op.scalar!(s.operands.map(operandOf), s.attrs);
      const simple = /^[A-Za-z_]\w*$/.test(expr);
      if (!simple && (code.match(/\bv\b/g) ?? []).length > 1) bind();
      expr = expr === "v" ? code : code.replace(/\bv\b/g, /^[A-Za-z_]\w*$/.test(expr) ? expr : `(${expr})`);
    }
    // `const` unless a later statement updates the value.
    if (lines.length && !lines.slice(1).some((l) => /^v = /.test(l))) lines[0] = lines[0]!.replace(/^let /, "const ");
    return [...lines, expr];
  };

  const rowBlock = (mb: number) => {
    for (let i = 0; i < mb; i++) w.writeLine(`const ao${i} = ${term(i === 0 ? "m" : `(m + ${i})`, L.sam)};`);
    if (sparse && mb === MB) {
      w.writeLine("let nnz = 0;");
      w.write(`for (let p = 0; p < ${L.P}; p++)`).block(() => {
        w.writeLine(`const a0 = ${A}[${sum("ao0", term("p", L.sap))}], a1 = ${A}[${sum("ao1", term("p", L.sap))}];`);
        w.write("if (a0 !== 0 || a1 !== 0)").block(() => {
          w.writeLine(`${sparse.step}[nnz] = p;`);
          w.writeLine(`${sparse.a0}[nnz] = a0;`);
          w.writeLine(`${sparse.a1}[nnz] = a1;`);
          w.writeLine("nnz++;");
        });
      });
    }
    if (fullCols > 0) w.write(`for (let n = 0; n < ${fullCols}; n += ${NB})`).block(() => block(mb, NB, "n"));
    if (L.N % NB) w.block(() => block(mb, L.N % NB, `${fullCols}`));
  };

  w.writeLine(`// ${MB}×${NB} register blocks over [${L.M}×${L.N}], ${L.P} terms each${skipZeros ? "; steps where the input is zero are skipped" : ""}`);
  w.writeLine("let m = 0;");
  w.write(`for (; m + ${MB - 1} < ${L.M}; m += ${MB})`).block(() => rowBlock(MB));
  w.write(`for (; m < ${L.M}; m++)`).block(() => rowBlock(1));
}
