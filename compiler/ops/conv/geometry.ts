// Window geometry shared by conv2d and the pools, as Keras and TensorFlow define it:
// `valid` takes only whole windows, out = ⌊(in − k) / s⌋ + 1; `same` gives out = ⌈in / s⌉ and
// pads with zeros, the odd padding element going after (bottom/right), as TensorFlow does.
// Tensors are NHWC: x[b, y, x, c] at ((b·H + y)·W + x)·C + c.

import type { Attrs } from "../op.ts";

export type Padding = "valid" | "same";

/** The window attributes every windowed op carries (kernel or pool size, stride, padding). */
export interface Window {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly padding: Padding;
}

/** One spatial axis: output length and the padding before the first element. */
export interface Axis {
  readonly out: number;
  readonly before: number;
}

export function axis(size: number, k: number, s: number, padding: Padding): Axis {
  if (padding === "valid") return { out: Math.floor((size - k) / s) + 1, before: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return { out, before: Math.floor(total / 2) };
}

export const windowOf = (a: Attrs): Window => a as unknown as Window;

/** [H, W, C] of an NHWC tensor's shape (its first dimension is the batch). */
export const hwc = (shape: readonly number[]): [number, number, number] => [shape[1]!, shape[2]!, shape[3]!];

/**
 * Why a window does not fit an input, or null: a kernel larger than a `valid` input, or a
 * stride that leaves part of a `valid` input unread (Keras would drop those rows silently).
 */
export function windowMisfit(what: string, input: readonly number[], w: Window): string | null {
  const [h, wd] = input;
  const shape = `[${input.join("×")}]`;
  const kernel = `${w.kh}×${w.kw}`;
  if (w.padding === "same") return null;
  if (w.kh > h! || w.kw > wd!) return `${what} ${kernel} is larger than its input ${shape} (use padding: same, or a smaller ${what})`;
  const leftY = (h! - w.kh) % w.sh;
  const leftX = (wd! - w.kw) % w.sw;
  if (leftY || leftX) {
    const out = [axis(h!, w.kh, w.sh, "valid").out, axis(wd!, w.kw, w.sw, "valid").out];
    return `stride ${w.sh}×${w.sw} does not divide input ${shape} minus ${what} ${kernel}: the output [${out.join("×")}] would leave ` +
      `the last ${leftY} row(s) and ${leftX} column(s) unread (Keras drops them; use padding: same, or another stride)`;
  }
  return null;
}

/** The output's [batch, OH, OW] for an NHWC input (the channel count is the op's own). */
export function outputHW(shape: readonly number[], w: Window): [number, number] {
  const [h, wd] = hwc(shape);
  return [axis(h, w.kh, w.sh, w.padding).out, axis(wd, w.kw, w.sw, w.padding).out];
}

/** Every size of one convolution, as literals. */
export interface ConvGeometry {
  readonly H: number; readonly W: number; readonly C: number; readonly F: number;
  readonly KH: number; readonly KW: number; readonly SH: number; readonly SW: number;
  readonly OH: number; readonly OW: number; readonly TOP: number; readonly LEFT: number;
  /** Whether no window crosses the border (so no bound is checked). */
  readonly valid: boolean;
}

export function convGeometry(x: readonly number[], f: number, k: Window): ConvGeometry {
  const [H, W, C] = hwc(x);
  const ya = axis(H, k.kh, k.sh, k.padding);
  const xa = axis(W, k.kw, k.sw, k.padding);
  const valid = ya.before === 0 && xa.before === 0 &&
    (ya.out - 1) * k.sh + k.kh <= H && (xa.out - 1) * k.sw + k.kw <= W;
  return { H, W, C, F: f, KH: k.kh, KW: k.kw, SH: k.sh, SW: k.sw, OH: ya.out, OW: xa.out, TOP: ya.before, LEFT: xa.before, valid };
}

/**
 * Height and width of x framed in zeros so that every window is whole (what the wasm
 * kernels gather from when windows cross the border); the image itself when none does.
 */
export function framedHW(g: ConvGeometry): [number, number] {
  if (g.valid) return [g.H, g.W];
  return [Math.max(g.TOP + g.H, (g.OH - 1) * g.SH + g.KH), Math.max(g.LEFT + g.W, (g.OW - 1) * g.SW + g.KW)];
}

/**
 * The scratch a convolution pass takes at most, in float32s by buffer name, over both
 * backends: im2col's patches [B·OH·OW, KH·KW·C] (dpatches for the input gradient, with Wᵀ),
 * and on wasm the zero frame around x when windows cross the border.
 */
export function convScratch(g: ConvGeometry, batch: number, pass: "forward" | "input_grad" | "weight_grad"): Record<string, number> {
  const rows = batch * g.OH * g.OW, k = g.KH * g.KW * g.C;
  const [h, w] = framedHW(g);
  const frame: Record<string, number> = g.valid ? {} : { frame: batch * h * w * g.C };
  return pass === "input_grad" ? { dpatches: rows * k, wT: g.F * k, ...frame } : { patches: rows * k, ...frame };
}

/**
 * Every (window, tap) pair of a windowed op whose input pixel lies inside the image, windows
 * in order (batch, row, column) and taps in row-major order: `visit(window, pixel, tap)` gets
 * the window's index (b·OH + oy)·OW + ox, the pixel's (b·H + iy)·W + ix and the tap's ky·KW + kx.
 * The float64 references of conv2d and the pools walk their windows with it.
 */
export function forEachTap(xs: readonly number[], ys: readonly number[], k: Window, visit: (window: number, pixel: number, tap: number) => void): void {
  const [h, w] = hwc(xs);
  const [oh, ow] = [ys[1]!, ys[2]!];
  const top = axis(h, k.kh, k.sh, k.padding).before;
  const left = axis(w, k.kw, k.sw, k.padding).before;
  for (let b = 0; b < xs[0]!; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < k.kh; ky++) {
          const iy = oy * k.sh - top + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k.kw; kx++) {
            const ix = ox * k.sw - left + kx;
            if (ix >= 0 && ix < w) visit((b * oh + oy) * ow + ox, (b * h + iy) * w + ix, ky * k.kw + kx);
          }
        }
}
