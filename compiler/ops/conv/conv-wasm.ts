// The wasm SIMD kernels of conv2d and its two gradients: im2col into the kernels' scratch,
// then the SIMD GEMM kernel (core/gemm-wasm.ts), K = KH·KW·C:
//   forward      patches(x) [B·OH·OW, K] · W [K, F] → y, with bias and activation fused
//   input grad   dz [B·OH·OW, F] · Wᵀ [F, K] → dpatches, each row added back into its window
//   weight grad  patches(x)ᵀ · dz → dW [K, F]
// A window row is KW·C contiguous floats of x, so gathering and scattering are vector copies
// at literal offsets. When windows cross the border (`same` padding), they read a copy of x
// framed in zeros (and the input gradient is scattered into such a frame, then cut out), so
// every window is whole. The JS module's direct/im2col forms (forms.ts) do not apply here:
// with it (and the pools in wasm, pool-wasm.ts) mnist_cnn's step runs ~10× the JS module's
// (bench/results.md); a direct SIMD form (no patches) has not been tried.

import { CodeBlockWriter } from "ts-morph";
import type { Value } from "../../ir/types.ts";
import { writeGemmWasm } from "../core/gemm-wasm.ts";
import type { GemmAttrs } from "../core/gemm.ts";
import type { WasmKernel, WasmKernelArgs } from "../op.ts";
import { countedLoop } from "../wasm.ts";
import { convGeometry, framedHW, type ConvGeometry } from "./geometry.ts";
import type { ConvAttrs, ConvGradAttrs } from "./conv2d.ts";
import { convEpilogue, convEpilogueOps } from "./conv-kernels.ts";

const get = (l: string) => `(local.get $${l})`;
const i32 = (k: number) => `(i32.const ${k})`;
/** Σ local·bytes as i32 text, terms with a zero factor dropped. */
const address = (terms: [string, number][]): string => {
  const parts = terms.filter(([, k]) => k !== 0).map(([l, k]) => (k === 1 ? get(l) : `(i32.mul ${get(l)} ${i32(k)})`));
  return parts.length ? parts.reduce((a, b) => `(i32.add ${a} ${b})`) : i32(0);
};

/** An image in linear memory: byte address and its (possibly zero-framed) height and width. */
interface Image {
  readonly at: number;
  readonly h: number;
  readonly w: number;
}

/** Kernel text under construction: the body, the i32 locals it uses, and the GEMMs' locals. */
class Text {
  readonly w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  readonly locals = new Set(["$bi i32", "$oy i32", "$ox i32", "$img i32", "$row i32", "$frame i32", "$off i32", "$k i32", "$f i32"]);
  gemm(k: WasmKernel): void {
    k.locals.forEach((l) => this.locals.add(l));
    for (const line of k.body.trimEnd().split("\n")) this.w.writeLine(line);
  }
  /** The kernel, declaring only the locals its text uses. */
  done(): WasmKernel {
    const body = this.w.toString();
    const used = (local: string) => new RegExp(`\\${local.split(" ")[0]}(?![\\w$])`).test(body);
    return { locals: [...this.locals].filter(used), body, note: "wasm: im2col + f32x4 GEMM, conv-wasm.ts" };
  }
}

/** An address as a local plus a literal byte offset. */
interface At {
  readonly local: string;
  readonly offset: number;
}

/**
 * n floats from `from` to `to`, or added into them (`add`): four at a time, unrolled up to 64
 * floats, looped beyond. A copy's tail is one vector overlapping the last whole one; an
 * addition's tail goes one float at a time (an overlap would add twice).
 */
function move(w: CodeBlockWriter, mode: "copy" | "add", from: At, to: At, n: number): void {
  const at = (p: At, looped: boolean) => (looped ? `(i32.add ${get(p.local)} ${get("off")})` : get(p.local));
  const vector = (k: number, looped = false) => {
    const load = `(v128.load offset=${from.offset + 4 * k} ${at(from, looped)})`;
    const value = mode === "copy" ? load : `(f32x4.add (v128.load offset=${to.offset + 4 * k} ${at(to, looped)}) ${load})`;
    w.writeLine(`(v128.store offset=${to.offset + 4 * k} ${at(to, looped)} ${value})`);
  };
  const whole = n - (n % 4);
  if (whole > 64) countedLoop(w, "off", 0, 4 * whole, 16, () => vector(0, true));
  else for (let k = 0; k < whole; k += 4) vector(k);
  if (n % 4 === 0) return;
  if (mode === "copy" && n >= 4) return vector(n - 4);
  for (let k = whole; k < n; k++) {
    const load = `(f32.load offset=${from.offset + 4 * k} ${get(from.local)})`;
    const value = mode === "copy" ? load : `(f32.add (f32.load offset=${to.offset + 4 * k} ${get(to.local)}) ${load})`;
    w.writeLine(`(f32.store offset=${to.offset + 4 * k} ${get(to.local)} ${value})`);
  }
}

/** The image the windows read: x itself, or x framed in zeros at `frame` when windows cross the border. */
function framed(g: ConvGeometry, at: number, scratch: WasmKernelArgs["scratch"], batch: number): Image {
  const [h, w] = framedHW(g);
  return { at: g.valid ? at : scratch(batch * h * w * g.C), h, w };
}

/** Copies every image row of x into the frame (`in`) or back out of it (`out`). */
function frameRows(t: Text, g: ConvGeometry, x: number, frame: Image, batch: number, direction: "in" | "out"): void {
  const inner = 4 * ((g.TOP * frame.w + g.LEFT) * g.C);
  countedLoop(t.w, "bi", 0, batch, 1, () => {
    countedLoop(t.w, "oy", 0, g.H, 1, () => {
      const xRow = address([["bi", 4 * g.H * g.W * g.C], ["oy", 4 * g.W * g.C]]);
      const frameRow = address([["bi", 4 * frame.h * frame.w * g.C], ["oy", 4 * frame.w * g.C]]);
      t.w.writeLine(`(local.set $img ${xRow})`);
      t.w.writeLine(`(local.set $frame ${frameRow})`);
      const [xAt, frameAt] = [{ local: "img", offset: x }, { local: "frame", offset: frame.at + inner }];
      move(t.w, "copy", direction === "in" ? xAt : frameAt, direction === "in" ? frameAt : xAt, g.W * g.C);
    });
  });
}

/**
 * For every window (bi, oy, ox) in order, with $img at its top-left element in `img` and $row
 * at its row of patches: `row(ky)` moves the window's row ky.
 */
function windows(t: Text, g: ConvGeometry, img: Image, batch: number, row: (ky: number) => void): void {
  t.w.writeLine(`(local.set $row ${i32(0)})`);
  countedLoop(t.w, "bi", 0, batch, 1, () => {
    countedLoop(t.w, "oy", 0, g.OH, 1, () => {
      countedLoop(t.w, "ox", 0, g.OW, 1, () => {
        t.w.writeLine(`(local.set $img ${address([["bi", 4 * img.h * img.w * g.C], ["oy", 4 * g.SH * img.w * g.C], ["ox", 4 * g.SW * g.C]])})`);
        for (let ky = 0; ky < g.KH; ky++) row(ky);
        t.w.writeLine(`(local.set $row (i32.add ${get("row")} ${i32(4 * g.KH * g.KW * g.C)}))`);
      });
    });
  });
}

/** Gathers every window of x (at `x`) into patches [B·OH·OW, K] at `patches`. */
function im2col(t: Text, g: ConvGeometry, x: number, patches: number, batch: number, scratch: WasmKernelArgs["scratch"]): void {
  const img = framed(g, x, scratch, batch);
  const run = g.KW * g.C;
  if (img.at !== x) {
    t.w.writeLine(`;; x framed in zeros (windows cross the border): [${batch}×${img.h}×${img.w}×${g.C}] @${img.at}`);
    t.w.writeLine(`(memory.fill ${i32(img.at)} ${i32(0)} ${i32(4 * batch * img.h * img.w * g.C)})`);
    frameRows(t, g, x, img, batch, "in");
  }
  t.w.writeLine(`;; im2col: each window's ${g.KH} rows of ${run} floats → a row of ${g.KH * run} patches @${patches}`);
  windows(t, g, img, batch, (ky) => move(t.w, "copy", { local: "img", offset: img.at + 4 * ky * img.w * g.C }, { local: "row", offset: patches + 4 * ky * run }, run));
}

/** A scratch matrix or a reshaped tensor, as the GEMM kernel reads it. */
const matrix = (v: Value | null, shape: readonly number[], name = v?.name ?? "scratch"): Value => ({
  id: v?.id ?? -1, name, shape, dtype: "f32", kind: v?.kind ?? "temp", batched: false,
});

function gemm(a: WasmKernelArgs, at: Map<Value, number>, ins: Value[], out: Value, attrs: GemmAttrs): WasmKernel | null {
  const addr = (v: Value) => at.get(v) ?? a.addr(v);
  return writeGemmWasm({ ...a, ins, out, addr }, attrs, convEpilogueOps);
}

export function convWasm(a: WasmKernelArgs, k: ConvAttrs): WasmKernel | null {
  const [x, wt, b] = a.ins as [Value, Value, Value | undefined];
  const g = convGeometry(x.shape, a.out.shape[3]!, k);
  const [batch, K, M] = [x.shape[0]!, g.KH * g.KW * g.C, x.shape[0]! * g.OH * g.OW];
  const patches = matrix(null, [M, K], "patches");
  const at = new Map([[patches, a.scratch(M * K)]]);
  const steps = convEpilogue(k, Boolean(b));
  const product = gemm(a, at, [patches, matrix(wt, [K, g.F]), ...(b ? [b] : [])], matrix(a.out, [M, g.F]), { base: "matmul", steps });
  if (!product) return null; // an activation with no wasm rule: the JS kernel fuses it
  const t = new Text();
  im2col(t, g, a.addr(x), at.get(patches)!, batch, a.scratch);
  t.gemm(product);
  return t.done();
}

export function convWeightGradWasm(a: WasmKernelArgs, k: ConvGradAttrs): WasmKernel {
  const [x, dz] = a.ins as [Value, Value];
  const g = convGeometry(x.shape, dz.shape[3]!, k);
  const [batch, K, M] = [x.shape[0]!, g.KH * g.KW * g.C, x.shape[0]! * g.OH * g.OW];
  const patches = matrix(null, [M, K], "patches");
  const at = new Map([[patches, a.scratch(M * K)]]);
  const t = new Text();
  im2col(t, g, a.addr(x), at.get(patches)!, batch, a.scratch);
  t.gemm(gemm(a, at, [patches, matrix(dz, [M, g.F])], matrix(a.out, [K, g.F]), { base: "matmul_tn", steps: [] })!);
  return t.done();
}

export function convInputGradWasm(a: WasmKernelArgs, k: ConvGradAttrs): WasmKernel {
  const [dz, wt] = a.ins as [Value, Value];
  const g = convGeometry([0, k.h, k.w, wt.shape[2]!], dz.shape[3]!, k);
  const [batch, K, M] = [dz.shape[0]!, g.KH * g.KW * g.C, dz.shape[0]! * g.OH * g.OW];
  const [wT, dpatches] = [matrix(null, [g.F, K], "wT"), matrix(null, [M, K], "dpatches")];
  const at = new Map([[wT, a.scratch(g.F * K)], [dpatches, a.scratch(M * K)]]);
  const t = new Text();
  // Wᵀ first, so the product streams along its rows (the dot-product form would reduce every 16 terms).
  t.w.writeLine(`;; Wᵀ [${g.F}×${K}] @${at.get(wT)}`);
  countedLoop(t.w, "k", 0, K, 1, () => {
    countedLoop(t.w, "f", 0, g.F, 1, () => {
      t.w.writeLine(`(f32.store offset=${at.get(wT)} ${address([["f", 4 * K], ["k", 4]])} (f32.load offset=${a.addr(wt)} ${address([["k", 4 * g.F], ["f", 4]])}))`);
    });
  });
  t.gemm(gemm(a, at, [matrix(dz, [M, g.F]), wT], dpatches, { base: "matmul", steps: [] })!);
  const dx = a.addr(a.out);
  const img = framed(g, dx, a.scratch, batch);
  const run = g.KW * g.C;
  t.w.writeLine(`;; col2im: each row of dpatches added back into its window of ${img.at === dx ? "dx" : "a zero frame around dx"}`);
  t.w.writeLine(`(memory.fill ${i32(img.at)} ${i32(0)} ${i32(4 * batch * img.h * img.w * g.C)})`);
  windows(t, g, img, batch, (ky) => move(t.w, "add", { local: "row", offset: at.get(dpatches)! + 4 * ky * run }, { local: "img", offset: img.at + 4 * ky * img.w * g.C }, run));
  if (img.at !== dx) frameRows(t, g, dx, img, batch, "out");
  return t.done();
}
