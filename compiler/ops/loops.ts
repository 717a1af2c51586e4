// Small writers for the loops emitters share. Bounds are literals, except the batch
// dimension, which is `rows` (a literal in training code, a variable when inferring).

import type { CodeBlockWriter } from "ts-morph";
import type { Shape } from "../ir/types.ts";

/** `for (let i = 0; i < n; i++) { body }` */
export function forRange(w: CodeBlockWriter, i: string, n: string | number, body: () => void): void {
  w.write(`for (let ${i} = 0; ${i} < ${n}; ${i}++)`).block(body);
}

/** forRange where the body reads the index through `at`: a loop that runs once is just its body at 0. */
function forIndex(w: CodeBlockWriter, i: string, n: string, body: (at: string) => void): void {
  if (n === "1") body("0");
  else forRange(w, i, n, () => body(i));
}

/**
 * A flat loop over every element of a tensor. For a batch-shaped tensor pass the row count,
 * which replaces the first dimension; pass null for any other tensor.
 */
export function forEach(w: CodeBlockWriter, rows: string | null, shape: Shape, body: (i: string) => void): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const rest = shape.slice(1).reduce((a, b) => a * b, 1);
  const n = rows === null ? `${size}` : rest === 1 ? rows : `${rows} * ${rest}`;
  forIndex(w, "i", n, body);
}
