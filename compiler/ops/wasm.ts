// Small builders for the wasm rules of element-wise ops: WebAssembly text over f32x4 lanes.
// An op's `wasm` rule returns one folded expression; these keep those rules one line each.
// countedLoop, temporaries and storeLanes are what every kernel writer shares.

import type { CodeBlockWriter } from "ts-morph";

/** Four lanes of one float32 constant. */
export const splat = (k: number): string => `(v128.const f32x4 ${k} ${k} ${k} ${k})`;

/** An f32x4 instruction applied to its operands, e.g. `f32x4("add", a, b)`. */
export const f32x4 = (op: string, ...operands: string[]): string => `(f32x4.${op} ${operands.join(" ")})`;

/** Lanes where `mask` is all ones take `then`, the others `otherwise` (a lane-wise select). */
export const select = (then: string, otherwise: string, mask: string): string => `(v128.bitselect ${then} ${otherwise} ${mask})`;

/** 1 where the comparison holds, else 0 (the comparison gives all-ones or all-zeros lanes). */
export const indicator = (mask: string): string => `(v128.and ${mask} ${splat(1)})`;

/**
 * `for (v = from; v < to; v += step) body` as a wasm loop over the i32 local $v, for counts
 * known to be ≥ 1 (the test is at the bottom); a single trip is written without a loop.
 */
export function countedLoop(w: CodeBlockWriter, v: string, from: number, to: number, step: number, body: () => void): void {
  w.writeLine(`(local.set $${v} (i32.const ${from}))`);
  if (to - from <= step) return body();
  w.write(`(loop $${v}`).indent(() => {
    body();
    w.writeLine(`(br_if $${v} (i32.lt_u (local.tee $${v} (i32.add (local.get $${v}) (i32.const ${step}))) (i32.const ${to}))))`);
  });
}

/**
 * Binds expressions to v128 locals $t0, $t1, … (each declared in `locals`), for a `wasm`
 * rule that reads an operand twice; reset() lets the next element reuse them.
 */
export function temporaries(w: CodeBlockWriter, locals: Set<string>): { local: (expr: string) => string; reset: () => void } {
  let n = 0;
  return {
    local: (expr) => {
      const t = `$t${n++}`;
      locals.add(`${t} v128`);
      w.writeLine(`(local.set ${t} ${expr})`);
      return `(local.get ${t})`;
    },
    reset: () => void (n = 0),
  };
}

/** Stores `value` at `address` + `offset`: the whole vector, or only its first `lanes` lanes (a partial last vector). */
export function storeLanes(w: CodeBlockWriter, offset: number, address: string, value: string, lanes: number): void {
  if (lanes === 4) return void w.writeLine(`(v128.store offset=${offset} ${address} ${value})`);
  for (let k = 0; k < lanes; k++) w.writeLine(`(v128.store32_lane offset=${offset + 4 * k} ${k} ${address} ${value})`);
}
