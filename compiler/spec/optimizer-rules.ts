// Rules between the optimizer block and the rest of the spec: a warmup must end before
// training does. Training's length in steps is epochs × full batches per epoch, known here
// when the data's size is (builtin and random data); a CSV file's rows are counted when
// `netspec train` loads it (compiler/cli/train.ts asks trainingSteps the same question).

import { MNIST_SIZE } from "../../runtime/data/mnist.ts";
import { testRowCount } from "../../runtime/data/split.ts";
import type { DataSpec } from "../../runtime/data/spec.ts";
import type { Finding } from "./issues.ts";
import type { Spec } from "./types.ts";

/** Rows of the builtin data sets (mnist before `limit`). */
export const BUILTIN_ROWS = { iris: 150, mnist: MNIST_SIZE } as const;

/** The data section's rows, when the spec alone says how many (null for a CSV file). */
function knownRows(d: DataSpec): number | null {
  if (d.kind === "random") return d.rows;
  if (d.kind === "builtin") return d.builtin === "mnist" ? (d.limit ?? BUILTIN_ROWS.mnist) : BUILTIN_ROWS[d.builtin];
  return null;
}

/** How long training is: `epochs` × the full batches of `trainRows` rows. */
export function trainingSteps(epochs: number, trainRows: number, batch: number): { steps: number; text: string } {
  const perEpoch = Math.floor(trainRows / batch);
  const text = `${epochs} epoch${epochs === 1 ? "" : "s"} × ${perEpoch} step${perEpoch === 1 ? "" : "s"} per epoch (${trainRows} training rows, batch ${batch})`;
  return { steps: epochs * perEpoch, text };
}

/** The message for a warmup that outlasts training, or null. */
export function warmupTooLong(spec: Spec, trainRows: number, epochs = spec.train.epochs): string | null {
  const { warmup, rule } = spec.optimizer;
  const batch = spec.train.batch;
  if (warmup === 0 || batch === null) return null;
  const total = trainingSteps(epochs, trainRows, batch);
  if (warmup <= total.steps) return null;
  return `optimizer.${rule.kind}.warmup is ${warmup} steps, longer than training: ${total.text} = ${total.steps} steps`;
}

export function optimizerRules(spec: Spec): Finding[] {
  const d = spec.data;
  const rows = d ? knownRows(d) : null;
  if (!d || rows === null) return [];
  const message = warmupTooLong(spec, rows - testRowCount(rows, d.test_split));
  return message ? [{ path: ["optimizer", spec.optimizer.rule.kind, "warmup"], message }] : [];
}
