// The optimizers a spec may name: the registry the spec's schema is built from
// (compiler/spec/schema.ts) and the Trainer looks rules up in. Adding one: a file here and
// a line below.

import { own } from "../own.ts";
import { adagrad } from "./adagrad.ts";
import { adam } from "./adam.ts";
import { adamw } from "./adamw.ts";
import type { HyperValues, OptimizerDef } from "./optimizer.ts";
import { rmsprop } from "./rmsprop.ts";
import { sgd } from "./sgd.ts";

export const optimizers = { sgd, adam, adamw, rmsprop, adagrad } satisfies Record<string, OptimizerDef>;

export type OptimizerName = keyof typeof optimizers;

/** Which update rule, with its hyperparameters: e.g. `{ kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8 }`. */
export type OptimizerConfig = {
  readonly [N in OptimizerName]: { readonly kind: N } & HyperValues<(typeof optimizers)[N]["hypers"]>;
}[OptimizerName];

/** The rule of a config, typed loosely: the Trainer only passes the config back to it. */
export function optimizerOf(kind: string): OptimizerDef | undefined {
  return own(optimizers as unknown as Record<string, OptimizerDef>, kind);
}

export { clipScale } from "./clip.ts";
export { adamStep } from "./adam.ts";
export { STEP, stepRecord } from "./optimizer.ts";
export type { Hyper, HyperProblem, Hypers, HyperValues, OptimizerDef, Range } from "./optimizer.ts";
