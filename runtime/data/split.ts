// Seeded train/test split. With stratification, every class keeps its proportion on both
// sides, like sklearn's StratifiedShuffleSplit: n_test = ceil(test_split · rows), each class
// gets floor(count · n_test / rows) test rows, and the rows left over go to the classes with
// the largest remainders (ties: bigger class, then lower index; deterministic, no RNG).
// Which rows of a class go where is a seeded shuffle. Each side keeps the original row
// order, so `shuffle: false` trains in file order.

import { Rng } from "../rng.ts";
import { DataError, selectRows, type Dataset } from "./dataset.ts";

export interface SplitOptions {
  /** Fraction of rows held out for testing, in [0, 1). 0 → no test set. */
  readonly testSplit: number;
  /** Keep class proportions (needs labels; ignored for regression data). */
  readonly stratified: boolean;
  readonly seed: number;
}

export interface Split {
  readonly train: Dataset;
  readonly test: Dataset | null;
}

/** How many test rows each class gets (largest-remainder apportionment). */
export function stratifiedCounts(classCounts: readonly number[], nTest: number): number[] {
  const n = classCounts.reduce((a, b) => a + b, 0);
  const exact = classCounts.map((c) => (c * nTest) / n);
  const out = exact.map(Math.floor);
  let left = nTest - out.reduce((a, b) => a + b, 0);
  const order = classCounts
    .map((_, k) => k)
    .sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || classCounts[b] - classCounts[a] || a - b);
  for (let i = 0; left > 0; i = (i + 1) % order.length) {
    const k = order[i];
    if (out[k] < classCounts[k]) { out[k]++; left--; }
  }
  return out;
}

/** Rows held out for testing: ceil(test_split · rows), with or without stratification. */
export const testRowCount = (rows: number, testSplit: number): number =>
  Math.ceil(testSplit * rows - 1e-9); // tolerance: 0.3·10 is 3.0000000000000004

export function splitDataset(ds: Dataset, opts: SplitOptions): Split {
  const { testSplit } = opts;
  if (!(testSplit >= 0 && testSplit < 1)) {
    throw new DataError(`${ds.name}: test_split must be in [0, 1) (got ${testSplit})`);
  }
  const nTest = testRowCount(ds.rows, testSplit);
  if (nTest === 0) return { train: ds, test: null };
  if (nTest >= ds.rows) {
    throw new DataError(`${ds.name}: test_split ${testSplit} leaves no training rows (${ds.rows} rows)`);
  }
  const rng = new Rng(opts.seed);
  const isTest = new Uint8Array(ds.rows);
  if (opts.stratified && ds.labels) {
    const byClass: number[][] = [];
    ds.labels.forEach((k, r) => (byClass[k] ??= []).push(r));
    const groups = byClass.filter((g) => g !== undefined);
    const small = groups.find((g) => g.length < 2);
    if (small) {
      const name = ds.classNames?.[ds.labels[small[0]]] ?? String(ds.labels[small[0]]);
      throw new DataError(`${ds.name}: class "${name}" has only 1 row; a stratified split needs at least 2 per class`);
    }
    const counts = stratifiedCounts(groups.map((g) => g.length), nTest);
    groups.forEach((g, k) => {
      const perm = Int32Array.from(g);
      rng.shuffle(perm);
      for (let i = 0; i < counts[k]; i++) isTest[perm[i]] = 1;
    });
  } else {
    const perm = Int32Array.from({ length: ds.rows }, (_, i) => i);
    rng.shuffle(perm);
    for (let i = 0; i < nTest; i++) isTest[perm[i]] = 1;
  }
  const trainIdx: number[] = [], testIdx: number[] = [];
  isTest.forEach((t, r) => (t ? testIdx : trainIdx).push(r));
  return {
    train: selectRows(ds, trainIdx, `${ds.name} (train)`),
    test: selectRows(ds, testIdx, `${ds.name} (test)`),
  };
}
