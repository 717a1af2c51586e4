// Feature standardization (z-scores), fitted on the training rows only so no information
// from the test set leaks into training; the same mean/std are applied to the test set and,
// via the checkpoint, to prediction inputs. Population std (ddof 0), like sklearn's
// StandardScaler; a constant column gets std 1 so it maps to 0 instead of NaN.

import { DataError, type Dataset } from "./dataset.ts";

export interface Standardizer {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export function fitStandardizer(ds: Dataset): Standardizer {
  const f = ds.inputSize;
  const mean = new Float64Array(f), m2 = new Float64Array(f);
  for (let r = 0; r < ds.rows; r++) {
    for (let j = 0; j < f; j++) mean[j] += ds.features[r * f + j];
  }
  for (let j = 0; j < f; j++) mean[j] /= ds.rows;
  // Two passes: the one-pass formula loses precision when |mean| ≫ std.
  for (let r = 0; r < ds.rows; r++) {
    for (let j = 0; j < f; j++) {
      const d = ds.features[r * f + j] - mean[j];
      m2[j] += d * d;
    }
  }
  const std = Array.from(m2, (s) => {
    const sd = Math.sqrt(s / ds.rows);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean: Array.from(mean), std };
}

/** A copy of `ds` with standardized features. */
export function applyStandardizer(ds: Dataset, st: Standardizer): Dataset {
  const f = ds.inputSize;
  if (st.mean.length !== f || st.std.length !== f) {
    throw new DataError(`${ds.name}: ${f} features but the standardizer was fitted on ${st.mean.length}`);
  }
  const features = new Float32Array(ds.features.length);
  for (let r = 0; r < ds.rows; r++) {
    for (let j = 0; j < f; j++) features[r * f + j] = (ds.features[r * f + j] - st.mean[j]) / st.std[j];
  }
  return { ...ds, features };
}
