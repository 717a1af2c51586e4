// A confusion matrix with per-class precision and recall, for classification results on
// held-out rows (reported once, after training).

export interface Confusion {
  /** matrix[truth][predicted]: how many rows of class `truth` were predicted as `predicted`. */
  readonly matrix: readonly (readonly number[])[];
  /** Of the rows predicted as each class, the fraction that were (null: none predicted). */
  readonly precision: readonly (number | null)[];
  /** Of the rows of each class, the fraction predicted as it (null: no such rows). */
  readonly recall: readonly (number | null)[];
}

export function confusion(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Confusion {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let r = 0; r < truth.length; r++) matrix[truth[r]!]![predicted[r]!]!++;
  const column = (k: number) => matrix.reduce((s, row) => s + row[k]!, 0);
  const row = (k: number) => matrix[k]!.reduce((s, v) => s + v, 0);
  const ratio = (hit: number, of: number) => (of === 0 ? null : hit / of);
  return {
    matrix,
    precision: matrix.map((_, k) => ratio(matrix[k]![k]!, column(k))),
    recall: matrix.map((_, k) => ratio(matrix[k]![k]!, row(k))),
  };
}

/** The matrix as aligned text, with class names and each class's precision and recall. */
export function confusionText(c: Confusion, names: readonly string[]): string {
  const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);
  const rows = [["truth \\ predicted", ...names, "recall"], ...c.matrix.map((r, k) => [names[k]!, ...r.map(String), pct(c.recall[k]!)]), ["precision", ...c.precision.map(pct), ""]];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  ").trimEnd()).join("\n");
}
