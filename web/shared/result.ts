// What a finished run reports, the same fields `netspec train --json` prints, wherever it
// ran (the server or the browser). Runtime imports only: the page bundles this file.

import { confusion, predict, type CompiledModule, type Confusion, type Dataset, type EpochMetrics, type TrainResult } from "../../runtime/index.ts";

export interface RunSummary {
  readonly epochs: number;
  readonly steps: number;
  readonly stopped: string;
  readonly final: EpochMetrics | null;
  readonly seconds: number;
  readonly stepsPerSecond: number;
  /** The test split's confusion matrix, for classifiers with test rows (as `train` prints it). */
  readonly confusion: ({ readonly classes: readonly string[] } & Confusion) | null;
}

export function summarize(mod: CompiledModule, r: TrainResult, test: Dataset | null): RunSummary {
  return { epochs: r.epochs, steps: r.steps, stopped: r.stopped, final: r.final, seconds: r.seconds, stepsPerSecond: r.stepsPerSecond, confusion: testConfusion(mod, r, test) };
}

function testConfusion(mod: CompiledModule, r: TrainResult, test: Dataset | null): RunSummary["confusion"] {
  if (mod.ACCURACY !== "argmax" || !test?.labels || test.rows === 0) return null;
  const { classes } = predict(mod, r.model.params, test.features, test.rows, r.model.state);
  const names = Array.from({ length: mod.OUTPUT_SIZE }, (_, k) => test.classNames?.[k] ?? String(k));
  return { classes: names, ...confusion(test.labels, classes!, mod.OUTPUT_SIZE) };
}
