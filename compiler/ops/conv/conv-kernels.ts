// The emitted convolution kernels, in two forms each (forms.ts chooses per layer shape):
//   direct  loops over output positions with literal bounds; a window row of a `valid` or
//           clipped `same` window is KW·C contiguous elements of x, so it is one loop
//   im2col  gathers every window into a scratch matrix of patches [B·OH·OW, KH·KW·C], then
//           runs the register-blocked GEMM kernel (core/gemm-kernel.ts) against W [KH·KW·C, F]
// Bias and activation are applied as each output element is written.

import type { CodeBlockWriter } from "ts-morph";
import type { Value } from "../../ir/types.ts";
import type { EmitArgs } from "../op.ts";
import { activationOp } from "../activations/index.ts";
import { bias_add } from "../core/bias_add.ts";
import { writeGemm, type OpLookup } from "../core/gemm-kernel.ts";
import type { GemmAttrs } from "../core/gemm.ts";
import { convGeometry as geo, type ConvGeometry as Geo } from "./geometry.ts";
import type { ConvAttrs, ConvGradAttrs } from "./conv2d.ts";

/** `(e)·k` and `e + n`, with the trivial cases folded so the generated indices stay readable. */
const times = (e: string, k: number) => (k === 1 ? e.replace(/^\((.*)\)$/, "$1") : `${e} * ${k}`);
const plus = (e: string, n: number) => (n === 0 ? e : `${e} + ${n}`);
/** `v·k − off`, with the trivial cases folded. */
const scaled = (v: string, k: number, off = 0) => `${k === 1 ? v : `${v} * ${k}`}${off ? ` - ${off}` : ""}`;

/**
 * for every output position (bi, oy, ox), with `yo` its offset in y/dz (× F), and the
 * window's clipped columns kx0…kx1 (literals 0, KW when nothing is clipped).
 */
function positions(w: CodeBlockWriter, g: Geo, rows: string, body: (kx0: string, kx1: string) => void): void {
  w.write(`for (let bi = 0; bi < ${rows}; bi++)`).block(() => {
    w.write(`for (let oy = 0; oy < ${g.OH}; oy++)`).block(() => {
      w.write(`for (let ox = 0; ox < ${g.OW}; ox++)`).block(() => {
        w.writeLine(`const yo = ((bi * ${g.OH} + oy) * ${g.OW} + ox) * ${g.F};`);
        if (g.valid) return body("0", `${g.KW}`);
        w.writeLine(`const kx0 = Math.max(0, ${g.LEFT} - ${scaled("ox", g.SW)}), kx1 = Math.min(${g.KW}, ${g.W + g.LEFT} - ${scaled("ox", g.SW)});`);
        body("kx0", "kx1");
      });
    });
  });
}

/** for each kernel row ky inside the image, with `xr` the offset of x[bi, iy, ox·SW − LEFT, 0]. */
function kernelRows(w: CodeBlockWriter, g: Geo, body: () => void): void {
  const [ky0, ky1] = g.valid ? ["0", `${g.KH}`] : [`Math.max(0, ${g.TOP} - ${scaled("oy", g.SH)})`, `Math.min(${g.KH}, ${g.H + g.TOP} - ${scaled("oy", g.SH)})`];
  w.write(`for (let ky = ${ky0}, ky1 = ${ky1}; ky < ky1; ky++)`).block(() => {
    w.writeLine(`const xr = ${times(`((bi * ${g.H} + ${scaled("oy", g.SH, g.TOP)} + ky) * ${g.W} + ${scaled("ox", g.SW, g.LEFT)})`, g.C)};`);
    body();
  });
}

/** The statements storing `acc` through the fused activation into `target`. */
function store(w: CodeBlockWriter, target: string, acc: string, act: string | null, attrs: Readonly<Record<string, unknown>>): void {
  if (!act || act === "identity") return void w.writeLine(`${target} = ${acc};`);
  w.writeLine(`${target} = ${activationOp(act).scalar!([acc], attrs)};`);
}

/**
 * conv2d's epilogue as GEMM steps, for the im2col forms of both backends: + b (the product's
 * third input) when there is a bias, then the fused activation; and the ops those steps name.
 */
export function convEpilogue(k: ConvAttrs, bias: boolean): GemmAttrs["steps"] {
  return [
    ...(bias ? [{ op: "bias_add", attrs: {}, operands: [{ acc: true } as const, { input: 2 }] }] : []),
    ...(k.activation && k.activation !== "identity" ? [{ op: k.activation, attrs: k.activationAttrs, operands: [{ acc: true } as const] }] : []),
  ];
}
export const convEpilogueOps: OpLookup = (name) => (name === "bias_add" ? bias_add : activationOp(name));

/** Filter blocks: up to NB accumulators in locals, each reading one x and NB weights per step. */
const NB = 8;
const blocks = (f: number): [number, number][] => Array.from({ length: Math.ceil(f / NB) }, (_, k) => [k * NB, Math.min(NB, f - k * NB)]);

export function emitConv(a: EmitArgs, k: ConvAttrs): void {
  const [x, wt, b] = a.ins as [Value, Value, Value | undefined];
  const g = geo(x.shape, a.out.shape[3]!, k);
  if (k.forms.forward === "im2col") {
    const patches = im2col(a, x, g);
    return gemm(a, "matmul", patches, matrix(wt, [g.KH * g.KW * g.C, g.F]), matrix(a.out, [0, g.F], true), g, convEpilogue(k, Boolean(b)), b ? [b] : []);
  }
  const [X, Wt, Y] = [a.ref(x), a.ref(wt), a.ref(a.out)];
  const skipZeros = x.kind === "input";
  if (g.valid) return directPairs(a, k, g, skipZeros);
  a.w.writeLine(`// direct: ${blocks(g.F).length} block(s) of ≤ ${NB} filters in locals per output position${skipZeros ? "; zero inputs skipped" : ""}`);
  positions(a.w, g, a.rows, (kx0, kx1) => {
    for (const [f0, nb] of blocks(g.F)) {
      a.w.block(() => {
        const acc = Array.from({ length: nb }, (_, j) => `c${j}`);
        a.w.writeLine(`let ${acc.map((c, j) => `${c} = ${b ? `${a.ref(b)}[${f0 + j}]` : "0"}`).join(", ")};`);
        kernelRows(a.w, g, () => {
          a.w.writeLine(`const wr = ${plus(`ky * ${g.KW * g.C * g.F}`, f0)};`);
          a.w.write(`for (let tp = ${kx0 === "0" ? "0" : `kx0 * ${g.C}`}; tp < ${kx1 === `${g.KW}` ? g.KW * g.C : `kx1 * ${g.C}`}; tp++)`).block(() => {
            a.w.writeLine(`const xv = ${X}[xr + tp];`);
            if (skipZeros) a.w.writeLine("if (xv === 0) continue;");
            a.w.writeLine(`const o = wr + tp * ${g.F};`);
            a.w.writeLine(acc.map((c, j) => `${c} += xv * ${Wt}[o${j ? ` + ${j}` : ""}];`).join(" "));
          });
        });
        acc.forEach((c, j) => store(a.w, `${Y}[yo + ${f0 + j}]`, c, k.activation, k.activationAttrs));
      });
    }
  });
}

/**
 * The direct forward pass when no window crosses the border: two horizontally adjacent
 * output positions × 4 filters in 8 locals (the GEMM kernel's 2×4 block), so each step reads
 * 2 inputs and 4 weights for 8 multiply-adds. An odd last column takes one position alone.
 */
function directPairs(a: EmitArgs, k: ConvAttrs, g: Geo, skipZeros: boolean): void {
  const [x, wt, b] = a.ins as [Value, Value, Value | undefined];
  const [X, Wt, Y] = [a.ref(x), a.ref(wt), a.ref(a.out)];
  const quads = Array.from({ length: Math.ceil(g.F / 4) }, (_, q): [number, number] => [q * 4, Math.min(4, g.F - q * 4)]);
  a.w.writeLine(`// direct: blocks of 2 positions × 4 filters in locals${skipZeros ? "; steps where both inputs are zero skipped" : ""}`);
  const block = (mb: number) => {
    a.w.writeLine(`const yo = ((bi * ${g.OH} + oy) * ${g.OW} + ox) * ${g.F};`);
    for (const [f0, nb] of quads) {
      a.w.block(() => {
        const acc = (i: number, j: number) => `c${i}${j}`;
        const all = Array.from({ length: mb * nb }, (_, n) => [Math.floor(n / nb), n % nb] as const);
        a.w.writeLine(`let ${all.map(([i, j]) => `${acc(i, j)} = ${b ? `${a.ref(b)}[${f0 + j}]` : "0"}`).join(", ")};`);
        a.w.write(`for (let ky = 0; ky < ${g.KH}; ky++)`).block(() => {
          a.w.writeLine(`const xr = ${times(`((bi * ${g.H} + ${scaled("oy", g.SH)} + ky) * ${g.W} + ${scaled("ox", g.SW)})`, g.C)}, wr = ${plus(`ky * ${g.KW * g.C * g.F}`, f0)};`);
          a.w.write(`for (let tp = 0; tp < ${g.KW * g.C}; tp++)`).block(() => {
            a.w.writeLine(`const ${Array.from({ length: mb }, (_, i) => `a${i} = ${X}[xr + ${i ? `${i * g.SW * g.C} + ` : ""}tp]`).join(", ")};`);
            if (skipZeros) a.w.writeLine(`if (${Array.from({ length: mb }, (_, i) => `a${i} === 0`).join(" && ")}) continue;`);
            a.w.writeLine(`const o = wr + tp * ${g.F};`);
            a.w.writeLine(`const ${Array.from({ length: nb }, (_, j) => `u${j} = ${Wt}[o${j ? ` + ${j}` : ""}]`).join(", ")};`);
            for (let i = 0; i < mb; i++) a.w.writeLine(Array.from({ length: nb }, (_, j) => `${acc(i, j)} += a${i} * u${j};`).join(" "));
          });
        });
        all.forEach(([i, j]) => store(a.w, `${Y}[yo + ${i * g.F + f0 + j}]`, acc(i, j), k.activation, k.activationAttrs));
      });
    }
  };
  a.w.write(`for (let bi = 0; bi < ${a.rows}; bi++)`).block(() => {
    a.w.write(`for (let oy = 0; oy < ${g.OH}; oy++)`).block(() => {
      a.w.writeLine("let ox = 0;");
      a.w.write(`for (; ox + 1 < ${g.OW}; ox += 2)`).block(() => block(2));
      if (g.OW % 2) a.w.block(() => block(1));
    });
  });
}

export function emitConvInputGrad(a: EmitArgs, k: ConvGradAttrs): void {
  const [dz, wt] = a.ins as [Value, Value];
  const g = geo([0, k.h, k.w, wt.shape[2]!], dz.shape[3]!, k);
  const [DZ, Wt, DX] = [a.ref(dz), a.ref(wt), a.ref(a.out)];
  if (k.form === "im2col") {
    // dP = dz·Wᵀ [B·OH·OW, KH·KW·C], then every patch element is added back where it came from.
    const dp = a.scratch("dpatches", "Float32Array", dz.shape[0]! * g.OH * g.OW * g.KH * g.KW * g.C);
    const dpv = scratchValue(dp, [0, g.KH * g.KW * g.C]);
    gemm(a, "matmul_nt", matrix(dz, [0, g.F], true), matrix(wt, [g.KH * g.KW * g.C, g.F]), dpv, g, [], []);
    a.w.writeLine(`${DX}.fill(0);`);
    positions(a.w, g, a.rows, (kx0, kx1) => {
      a.w.writeLine(`const po = (yo / ${g.F}) * ${g.KH * g.KW * g.C};`);
      kernelRows(a.w, g, () => {
        a.w.write(`for (let tp = ${kx0 === "0" ? "0" : `kx0 * ${g.C}`}; tp < ${kx1 === `${g.KW}` ? g.KW * g.C : `kx1 * ${g.C}`}; tp++)`).block(() => {
          a.w.writeLine(`${DX}[xr + tp] += ${dp}[po + ky * ${g.KW * g.C} + tp];`);
        });
      });
    });
    return;
  }
  // direct: each output position's dz[F] sits in locals while it is scattered into its window.
  const unrolled = g.F <= 16;
  a.w.writeLine(`// direct: dz of each position ${unrolled ? "held in locals" : "re-read"} while it is added into its window`);
  a.w.writeLine(`${DX}.fill(0);`);
  positions(a.w, g, a.rows, (kx0, kx1) => {
    if (unrolled) a.w.writeLine(`const ${Array.from({ length: g.F }, (_, j) => `u${j} = ${DZ}[yo + ${j}]`).join(", ")};`);
    kernelRows(a.w, g, () => {
      a.w.writeLine(`const wr = ky * ${g.KW * g.C * g.F};`);
      a.w.write(`for (let tp = ${kx0 === "0" ? "0" : `kx0 * ${g.C}`}; tp < ${kx1 === `${g.KW}` ? g.KW * g.C : `kx1 * ${g.C}`}; tp++)`).block(() => {
        a.w.writeLine(`const o = wr + tp * ${g.F};`);
        if (unrolled) a.w.writeLine(`${DX}[xr + tp] += ${Array.from({ length: g.F }, (_, j) => `u${j} * ${Wt}[o${j ? ` + ${j}` : ""}]`).join(" + ")};`);
        else {
          a.w.writeLine("let sa = 0;");
          a.w.write(`for (let j = 0; j < ${g.F}; j++)`).block(() => a.w.writeLine(`sa += ${DZ}[yo + j] * ${Wt}[o + j];`));
          a.w.writeLine(`${DX}[xr + tp] += sa;`);
        }
      });
    });
  });
}

export function emitConvWeightGrad(a: EmitArgs, k: ConvGradAttrs): void {
  const [x, dz] = a.ins as [Value, Value];
  const g = geo(x.shape, dz.shape[3]!, k);
  if (k.form === "im2col") {
    const patches = im2col(a, x, g);
    return gemm(a, "matmul_tn", patches, matrix(dz, [0, g.F], true), matrix(a.out, [g.KH * g.KW * g.C, g.F]), g, [], []);
  }
  // direct: for each weight row (ky, t) a block of filters accumulates in locals over every position.
  const [X, DZ, DW] = [a.ref(x), a.ref(dz), a.ref(a.out)];
  a.w.writeLine(`// direct: each weight row's ${blocks(g.F).length} block(s) of ≤ ${NB} filters accumulate in locals over batch and positions`);
  a.w.write(`for (let ky = 0; ky < ${g.KH}; ky++)`).block(() => {
    a.w.write(`for (let tp = 0; tp < ${g.KW * g.C}; tp++)`).block(() => {
      // kx (the tap's column) only bounds the positions when windows cross the border.
      a.w.writeLine(`${g.valid ? "" : `const kx = (tp / ${g.C}) | 0; `}const o = (ky * ${g.KW * g.C} + tp) * ${g.F};`);
      for (const [f0, nb] of blocks(g.F)) {
        a.w.block(() => {
          const acc = Array.from({ length: nb }, (_, j) => `c${j}`);
          a.w.writeLine(`let ${acc.map((c) => `${c} = 0`).join(", ")};`);
          a.w.write(`for (let bi = 0; bi < ${a.rows}; bi++)`).block(() => {
            const [oy0, oy1] = g.valid ? ["0", `${g.OH}`] : [`Math.max(0, Math.ceil((${g.TOP} - ky) / ${g.SH}))`, `Math.min(${g.OH}, Math.floor((${g.H - 1 + g.TOP} - ky) / ${g.SH}) + 1)`];
            const [ox0, ox1] = g.valid ? ["0", `${g.OW}`] : [`Math.max(0, Math.ceil((${g.LEFT} - kx) / ${g.SW}))`, `Math.min(${g.OW}, Math.floor((${g.W - 1 + g.LEFT} - kx) / ${g.SW}) + 1)`];
            a.w.write(`for (let oy = ${oy0}, oy1 = ${oy1}; oy < oy1; oy++)`).block(() => {
              a.w.writeLine(`const xr = ${times(`((bi * ${g.H} + ${scaled("oy", g.SH, g.TOP)} + ky) * ${g.W}${g.LEFT ? ` - ${g.LEFT}` : ""})`, g.C)} + tp, yr = ${plus(`(bi * ${g.OH} + oy) * ${g.OW * g.F}`, f0)};`);
              a.w.write(`for (let ox = ${ox0}, ox1 = ${ox1}; ox < ox1; ox++)`).block(() => {
                a.w.writeLine(`const xv = ${X}[xr + ${scaled("ox", g.SW * g.C)}], yo = yr + ${scaled("ox", g.F)};`);
                a.w.writeLine(acc.map((c, j) => `${c} += xv * ${DZ}[yo${j ? ` + ${j}` : ""}];`).join(" "));
              });
            });
          });
          acc.forEach((c, j) => a.w.writeLine(`${DW}[o + ${f0 + j}] = ${c};`));
        });
      }
    });
  });
}


/** A stand-in Value for a scratch matrix or a reshaped view, for the GEMM kernel. */
const scratchValue = (name: string, shape: readonly number[]): Value => ({ id: -1, name, shape, dtype: "f32", kind: "temp", batched: true });
/** The same buffer seen as a matrix; a 0 in `shape` is the batch's rows × positions. */
const matrix = (v: Value, shape: readonly number[], batched = false): Value => ({ ...v, shape, batched });

/**
 * The GEMM kernel over matrices: batch-shaped ones have rows·OH·OW rows (`rows` may be the
 * inference variable, so that count is an expression). Stand-ins are read by their buffers.
 */
function gemm(a: EmitArgs, base: GemmAttrs["base"], p: Value, q: Value, out: Value, g: Geo, steps: GemmAttrs["steps"], extra: Value[]): void {
  const real = new Map([...a.ins, a.out].map((v) => [v.id, v]));
  const ref = (v: Value) => (v.id === -1 ? v.name : a.ref(real.get(v.id) ?? v));
  writeGemm({ ...a, ins: [p, q, ...extra], out, ref, rows: `${a.rows} * ${g.OH * g.OW}` }, { base, steps }, convEpilogueOps);
}

/** Writes every window of x into the scratch matrix `patches` [rows·OH·OW, KH·KW·C] (zeros outside the image). */
function im2col(a: EmitArgs, x: Value, g: Geo): Value {
  const k = g.KH * g.KW * g.C;
  const name = a.scratch("patches", "Float32Array", x.shape[0]! * g.OH * g.OW * k);
  a.w.writeLine(`// im2col: each window of ${a.ref(x)} becomes a row of ${k} in ${name}`);
  positions(a.w, g, a.rows, (kx0, kx1) => {
    a.w.writeLine(`const po = (yo / ${g.F}) * ${k};`);
    if (!g.valid) a.w.writeLine(`${name}.fill(0, po, po + ${k});`);
    kernelRows(a.w, g, () => {
      a.w.writeLine(`const pr = po + ky * ${g.KW * g.C};`);
      a.w.write(`for (let tp = ${kx0 === "0" ? "0" : `kx0 * ${g.C}`}; tp < ${kx1 === `${g.KW}` ? g.KW * g.C : `kx1 * ${g.C}`}; tp++)`).block(() => {
        a.w.writeLine(`${name}[pr + tp] = ${a.ref(x)}[xr + tp];`);
      });
    });
  });
  // The first layer's patches are pixels, mostly zero: the GEMM kernel skips zero steps of an input.
  return { ...scratchValue(name, [0, k]), kind: x.kind === "input" ? "input" : "temp" };
}
