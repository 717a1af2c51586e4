// The emitted pooling kernels. A `valid` window of at most 16 taps is unrolled: its offsets
// are literals from the window's first element; other windows loop over their clipped taps.

import type { CodeBlockWriter } from "ts-morph";
import type { Value } from "../../ir/types.ts";
import type { EmitArgs } from "../op.ts";
import { convGeometry, type ConvGeometry, type Window } from "./geometry.ts";

interface PoolGeo extends ConvGeometry {
  readonly k: Window;
}

const UNROLL_TAPS = 16;
const scaled = (v: string, k: number, off = 0) => `${k === 1 ? v : `${v} * ${k}`}${off ? ` - ${off}` : ""}`;

/** A pool's geometry: a window is a kernel over each channel. */
const poolGeo = (x: readonly number[], k: Window): PoolGeo => ({ ...convGeometry(x, x[3]!, k), k });

/** Whether every window lies inside the image (no clipping). */
const inside = (g: PoolGeo) => g.valid;

/**
 * For every window (bi, oy, ox, ch): `yo` is its offset in y/dy, and `taps(body)` visits its
 * elements in scan order, body(offset expression) — literals from `xo` when unrolled.
 */
function overWindows(w: CodeBlockWriter, g: PoolGeo, rows: string, body: (taps: (each: (at: string) => void) => void, count: string) => void): void {
  const unrolled = inside(g) && g.k.kh * g.k.kw <= UNROLL_TAPS;
  w.write(`for (let bi = 0; bi < ${rows}; bi++)`).block(() => {
    w.write(`for (let oy = 0; oy < ${g.OH}; oy++)`).block(() => {
      w.write(`for (let ox = 0; ox < ${g.OW}; ox++)`).block(() => {
        if (!inside(g)) {
          w.writeLine(`const ky0 = Math.max(0, ${g.TOP} - ${scaled("oy", g.k.sh)}), ky1 = Math.min(${g.k.kh}, ${g.H + g.TOP} - ${scaled("oy", g.k.sh)});`);
          w.writeLine(`const kx0 = Math.max(0, ${g.LEFT} - ${scaled("ox", g.k.sw)}), kx1 = Math.min(${g.k.kw}, ${g.W + g.LEFT} - ${scaled("ox", g.k.sw)});`);
        }
        w.writeLine(`const yr = ((bi * ${g.OH} + oy) * ${g.OW} + ox) * ${g.C};`);
        w.writeLine(`const xw = ((bi * ${g.H} + ${scaled("oy", g.k.sh, g.TOP)}) * ${g.W} + ${scaled("ox", g.k.sw, g.LEFT)}) * ${g.C};`);
        w.write(`for (let ch = 0; ch < ${g.C}; ch++)`).block(() => {
          w.writeLine("const yo = yr + ch, xo = xw + ch;");
          if (unrolled) {
            const offsets = Array.from({ length: g.k.kh * g.k.kw }, (_, t) => (Math.floor(t / g.k.kw) * g.W + (t % g.k.kw)) * g.C);
            return body((each) => offsets.forEach((o) => each(o ? `xo + ${o}` : "xo")), `${offsets.length}`);
          }
          body((each) => {
            w.write(`for (let ky = ${inside(g) ? 0 : "ky0"}; ky < ${inside(g) ? g.k.kh : "ky1"}; ky++)`).block(() => {
              w.write(`for (let kx = ${inside(g) ? 0 : "kx0"}; kx < ${inside(g) ? g.k.kw : "kx1"}; kx++)`).block(() => each(`xo + (ky * ${g.W} + kx) * ${g.C}`));
            });
          }, inside(g) ? `${g.k.kh * g.k.kw}` : "((ky1 - ky0) * (kx1 - kx0))");
        });
      });
    });
  });
}

export function emitPool(a: EmitArgs, k: Window, kind: "max" | "avg"): void {
  const [x] = a.ins as [Value];
  const g = poolGeo(x.shape, k);
  const [X, Y] = [a.ref(x), a.ref(a.out)];
  overWindows(a.w, g, a.rows, (taps, count) => {
    a.w.writeLine(kind === "max" ? "let m = -Infinity;" : "let sa = 0;");
    taps((at) => a.w.writeLine(kind === "max" ? `{ const v = ${X}[${at}]; if (v > m) m = v; }` : `sa += ${X}[${at}];`));
    a.w.writeLine(`${Y}[yo] = ${kind === "max" ? "m" : `sa / ${count}`};`);
  });
}

export function emitPoolGrad(a: EmitArgs, k: Window, kind: "max" | "avg"): void {
  const dy = a.ins[0]!;
  const g = poolGeo(a.out.shape, k);
  const [DY, DX] = [a.ref(dy), a.ref(a.out)];
  a.w.writeLine(`${DX}.fill(0);`);
  overWindows(a.w, g, a.rows, (taps, count) => {
    if (kind === "avg") {
      a.w.writeLine(`const dv = ${DY}[yo] / ${count};`);
      taps((at) => a.w.writeLine(`${DX}[${at}] += dv;`));
      return;
    }
    // The first maximal element takes the gradient (strict >: a later equal value does not).
    const X = a.ref(a.ins[1]!);
    a.w.writeLine("let m = -Infinity, best = xo;");
    taps((at) => a.w.writeLine(`{ const v = ${X}[${at}]; if (v > m) { m = v; best = ${at}; } }`));
    a.w.writeLine(`${DX}[best] += ${DY}[yo];`);
  });
}
