// The in-memory dataset every loader produces: flat typed arrays, so batching is a copy of
// contiguous rows and never touches JS objects.

export interface Dataset {
  readonly name: string;
  /** rows × inputSize, row-major. */
  readonly features: Float32Array;
  readonly rows: number;
  readonly inputSize: number;
  /** Class index per row (classification), else null. */
  readonly labels: Int32Array | null;
  /** rows × targetSize (regression), else null. */
  readonly targets: Float32Array | null;
  /** Columns per target row; 0 when the dataset has labels instead of targets. */
  readonly targetSize: number;
  /** Name of each class index, when there are labels. */
  readonly classNames: readonly string[] | null;
}

/**
 * Bad or unusable input data. Users see the message only (the CLI prints it without a
 * stack), so messages carry the location: `file.csv:12: ...`.
 */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/** The rows `idx` of `ds`, in that order, as a new dataset. */
export function selectRows(ds: Dataset, idx: ArrayLike<number>, name = ds.name): Dataset {
  const n = idx.length, f = ds.inputSize, t = ds.targetSize;
  const features = new Float32Array(n * f);
  const labels = ds.labels ? new Int32Array(n) : null;
  const targets = ds.targets ? new Float32Array(n * t) : null;
  for (let i = 0; i < n; i++) {
    const r = idx[i];
    features.set(ds.features.subarray(r * f, r * f + f), i * f);
    if (labels && ds.labels) labels[i] = ds.labels[r];
    if (targets && ds.targets) targets.set(ds.targets.subarray(r * t, r * t + t), i * t);
  }
  return { ...ds, name, features, rows: n, labels, targets };
}

/** The fraction of feature values that are exactly zero (MNIST pixels: about 0.81). */
export function zeroFraction(ds: Dataset): number {
  let zeros = 0;
  for (let i = 0; i < ds.features.length; i++) if (ds.features[i] === 0) zeros++;
  return ds.features.length ? zeros / ds.features.length : 0;
}
