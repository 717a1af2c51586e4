// Data entry points: load what a spec's `data:` section names (or a command-line override),
// split it, standardize it, and shape targets for a module.

import { resolve } from "node:path";
import type { DataSpec } from "./spec.ts";
import { loadCsv } from "./csv.ts";
import { DataError, type Dataset } from "./dataset.ts";
import { loadIris } from "./iris.ts";
import { loadMnist } from "./mnist.ts";
import { randomDataset, type RandomShape } from "./random.ts";
import { splitDataset } from "./split.ts";
import { applyStandardizer, fitStandardizer, type Standardizer } from "./standardize.ts";
import { mixSeed } from "../rng.ts";

export { DataError, selectRows, zeroFraction, type Dataset } from "./dataset.ts";
export type { DataSpec } from "./spec.ts";
export { loadCsv, parseCsv, parseRecords, MAX_LINE_CHARS, type CsvOptions } from "./csv.ts";
export { loadIris } from "./iris.ts";
export { loadMnist, MNIST_SIZE } from "./mnist.ts";
export { randomDataset, type RandomShape } from "./random.ts";
export { splitDataset, stratifiedCounts, testRowCount, type Split, type SplitOptions } from "./split.ts";
export { applyStandardizer, fitStandardizer, type Standardizer } from "./standardize.ts";

export interface LoadOptions {
  /** Directory of the spec file: a spec's relative `csv:` path is resolved from here. */
  readonly baseDir: string;
  /** "builtin:iris" | "builtin:mnist" | a CSV path (relative to the current directory). */
  readonly override?: string | null;
  /** The model's input size, checked against the data's feature count. */
  readonly inputSize?: number | null;
  /** What random data must look like: the model's input and output sizes and its kind of target. */
  readonly shape?: RandomShape | null;
}

/**
 * Loads the dataset a spec names. An override CSV uses the spec's label/targets columns when
 * the spec's data is a CSV too, and otherwise a column named "label".
 */
export function loadData(data: DataSpec, opts: LoadOptions): Dataset {
  const src = opts.override ?? (data.kind === "builtin" ? `builtin:${data.builtin}` : null);
  let ds: Dataset;
  if (src === null && data.kind === "random") {
    if (!opts.shape) throw new DataError("random data needs the model's input and output sizes");
    return randomDataset(data.rows, data.seed, opts.shape);
  }
  if (src === "builtin:iris") ds = loadIris();
  else if (src === "builtin:mnist") ds = loadMnist(data.limit);
  else if (src !== null && src.startsWith("builtin:")) {
    throw new DataError(`${src}: unknown builtin dataset (known: builtin:iris, builtin:mnist)`);
  } else {
    // src is null only for a csv spec without override.
    const csv = data.kind === "csv" ? data.csv : "";
    const path = src !== null ? resolve(src) : resolve(opts.baseDir, csv);
    const display = src ?? csv;
    const cols = data.kind === "csv" ? { label: data.label, targets: data.targets } : { label: "label", targets: null };
    return loadCsv(path, { ...cols, display, inputSize: opts.inputSize ?? null });
  }
  if (opts.inputSize != null && ds.inputSize !== opts.inputSize) {
    throw new DataError(`${ds.name}: has ${ds.inputSize} features but the spec's input is ${opts.inputSize}`);
  }
  return ds;
}

export interface PreparedData {
  readonly train: Dataset;
  readonly test: Dataset | null;
  /** Fitted on the training rows; null when the spec does not standardize. */
  readonly standardizer: Standardizer | null;
}

/** load → split (seeded by the spec's seed, on its own stream) → standardize. */
export function prepareData(data: DataSpec, opts: LoadOptions & { readonly seed: number }): PreparedData {
  const ds = loadData(data, opts);
  const split = splitDataset(ds, {
    testSplit: data.test_split,
    stratified: data.stratified,
    seed: mixSeed(opts.seed, 2),
  });
  if (!data.standardize) return { ...split, standardizer: null };
  const st = fitStandardizer(split.train);
  return {
    train: applyStandardizer(split.train, st),
    test: split.test && applyStandardizer(split.test, st),
    standardizer: st,
  };
}

/** One row of `classes` floats per label, 1 at the label's index. */
export function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((k, r) => {
    out[r * classes + k] = 1;
  });
  return out;
}

/**
 * The rows of `outputSize` floats a "vector" target module trains on: the dataset's targets,
 * or its labels one-hot encoded (e.g. mse on iris). With one output and two classes the
 * label itself (0/1) is the target, as for a sigmoid binary classifier.
 */
export function vectorTargets(ds: Dataset, outputSize: number): Float32Array {
  if (ds.targets) {
    if (ds.targetSize !== outputSize) {
      throw new DataError(`${ds.name}: ${ds.targetSize} target column(s) but the model has ${outputSize} output(s)`);
    }
    return ds.targets;
  }
  if (!ds.labels) throw new DataError(`${ds.name}: has neither labels nor targets to train on`);
  const classes = ds.classNames?.length ?? 0;
  if (outputSize === 1 && classes <= 2) return Float32Array.from(ds.labels);
  if (classes > outputSize) {
    throw new DataError(`${ds.name}: ${classes} classes but the model has ${outputSize} output(s)`);
  }
  return oneHot(ds.labels, outputSize);
}
