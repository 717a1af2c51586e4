// The wasm SIMD kernels of max_pool, avg_pool and their gradients, four channels at a time,
// for windows that lie inside the image (`valid`, or `same` where nothing is padded); a
// window that crosses the border stays a JavaScript kernel (pool-kernels.ts). Every tap's
// offset is a literal. The arithmetic is pool-kernels.ts's, lane by lane (except that avg
// sums in float32 here, where the JS kernel sums in float64):
//   max    m starts at −∞ and takes v where v > m (NaN never wins; a tie keeps the first)
//   max′   the same scan also keeps, per lane, the index of the tap that won; dy then goes to
//          that tap (dx starts at 0 and is added to, so overlapping windows accumulate)
//   avg    Σ taps / count; avg′ adds dy / count to every tap

import { CodeBlockWriter } from "ts-morph";
import type { Value } from "../../ir/types.ts";
import type { WasmKernel, WasmKernelArgs } from "../op.ts";
import { countedLoop, storeLanes } from "../wasm.ts";
import { convGeometry, type ConvGeometry, type Window } from "./geometry.ts";

const get = (l: string) => `(local.get $${l})`;
const i32 = (k: number) => `(i32.const ${k})`;
const NEG_INFINITY = "(v128.const f32x4 -inf -inf -inf -inf)";
const index = (t: number) => `(v128.const i32x4 ${t} ${t} ${t} ${t})`;

interface Pool extends ConvGeometry {
  readonly B: number;
  /** Byte offset of each tap from its window's first element (channel 0). */
  readonly taps: readonly number[];
}

/** The pool's geometry for input shape x (a window is a kernel over each channel), or null when some window crosses the border. */
function poolOf(x: readonly number[], k: Window): Pool | null {
  const g = convGeometry(x, x[3]!, k);
  if (!g.valid) return null;
  const taps = Array.from({ length: g.KH * g.KW }, (_, t) => 4 * (Math.floor(t / g.KW) * g.W + (t % g.KW)) * g.C);
  return { ...g, B: x[0]!, taps };
}

/**
 * For every window in order, with $img at its first element of x/dx and $row at its element of
 * y/dy: `group(c, lanes)` handles channels c…c+lanes−1 (literal byte offsets 4c from those).
 */
function overWindows(w: CodeBlockWriter, p: Pool, group: (c: number, lanes: number) => void): void {
  countedLoop(w, "bi", 0, p.B, 1, () => {
    countedLoop(w, "oy", 0, p.OH, 1, () => {
      countedLoop(w, "ox", 0, p.OW, 1, () => {
        const img = `(i32.add (i32.add (i32.mul ${get("bi")} ${i32(4 * p.H * p.W * p.C)}) (i32.mul ${get("oy")} ${i32(4 * p.SH * p.W * p.C)})) (i32.mul ${get("ox")} ${i32(4 * p.SW * p.C)}))`;
        w.writeLine(`(local.set $img ${img})`);
        w.writeLine(`(local.set $row (i32.mul (i32.add (i32.mul (i32.add (i32.mul ${get("bi")} ${i32(p.OH)}) ${get("oy")}) ${i32(p.OW)}) ${get("ox")}) ${i32(4 * p.C)}))`);
        for (let c = 0; c < p.C; c += 4) group(c, Math.min(4, p.C - c));
      });
    });
  });
}

/** Stores $v at `offset` + `local`: the whole vector, or only its first `lanes` lanes. */
const store = (w: CodeBlockWriter, offset: number, local: string, lanes: number) => storeLanes(w, offset, get(local), get("v"), lanes);

const LOCALS = ["$bi i32", "$oy i32", "$ox i32", "$img i32", "$row i32", "$v v128", "$m v128", "$at v128", "$dy v128"];

export function writePoolWasm({ ins: [x], out, addr }: WasmKernelArgs, k: Window, kind: "max" | "avg"): WasmKernel | null {
  const p = poolOf(x!.shape, k);
  if (!p) return null;
  const [X, Y] = [addr(x!), addr(out)];
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  w.writeLine(`;; ${kind} over ${p.taps.length} taps per window, 4 channels at a time`);
  overWindows(w, p, (c, lanes) => {
    const tap = (o: number) => `(v128.load offset=${X + o + 4 * c} ${get("img")})`;
    if (kind === "max") {
      w.writeLine(`(local.set $m ${NEG_INFINITY})`);
      for (const o of p.taps) {
        w.writeLine(`(local.set $v ${tap(o)})`);
        w.writeLine(`(local.set $m (v128.bitselect ${get("v")} ${get("m")} (f32x4.gt ${get("v")} ${get("m")})))`);
      }
      w.writeLine(`(local.set $v ${get("m")})`);
    } else {
      w.writeLine(`(local.set $v ${p.taps.map(tap).reduce((a, b) => `(f32x4.add ${a} ${b})`)})`);
      w.writeLine(`(local.set $v (f32x4.div ${get("v")} (v128.const f32x4 ${Array(4).fill(p.taps.length).join(" ")})))`);
    }
    store(w, Y + 4 * c, "row", lanes);
  });
  return { locals: LOCALS, body: w.toString() };
}

export function writePoolGradWasm({ ins, out, addr }: WasmKernelArgs, k: Window, kind: "max" | "avg"): WasmKernel | null {
  const [dy, x] = ins as [Value, Value | undefined];
  const p = poolOf(out.shape, k);
  if (!p) return null;
  const [DY, DX] = [addr(dy), addr(out)];
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  w.writeLine(`;; dy of each window to ${kind === "max" ? "the tap that won its max" : "every tap, over their count"}, 4 channels at a time`);
  w.writeLine(`(memory.fill ${i32(DX)} ${i32(0)} ${i32(4 * p.B * p.H * p.W * p.C)})`);
  overWindows(w, p, (c, lanes) => {
    const at = (base: number, o: number) => `(v128.load offset=${base + o + 4 * c} ${get("img")})`;
    const addTo = (o: number, value: string) => {
      w.writeLine(`(local.set $v (f32x4.add ${at(DX, o)} ${value}))`);
      store(w, DX + o + 4 * c, "img", lanes);
    };
    w.writeLine(`(local.set $dy (v128.load offset=${DY + 4 * c} ${get("row")}))`);
    if (kind === "avg") {
      w.writeLine(`(local.set $dy (f32x4.div ${get("dy")} (v128.const f32x4 ${Array(4).fill(p.taps.length).join(" ")})))`);
      for (const o of p.taps) addTo(o, get("dy"));
      return;
    }
    w.writeLine(`(local.set $m ${NEG_INFINITY}) (local.set $at ${index(0)})`);
    p.taps.forEach((o, t) => {
      w.writeLine(`(local.set $v ${at(addr(x!), o)})`);
      w.writeLine(`(local.set $at (v128.bitselect ${index(t)} ${get("at")} (f32x4.gt ${get("v")} ${get("m")})))`);
      w.writeLine(`(local.set $m (v128.bitselect ${get("v")} ${get("m")} (f32x4.gt ${get("v")} ${get("m")})))`);
    });
    p.taps.forEach((o, t) => addTo(o, `(v128.and ${get("dy")} (i32x4.eq ${get("at")} ${index(t)}))`));
  });
  return { locals: LOCALS, body: w.toString() };
}
