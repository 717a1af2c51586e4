// What an optimizer is: data (its hyperparameters with their ranges and defaults, the names
// of its per-parameter slots) plus one update rule over the flat params/grads arrays. The
// spec's zod schema is built from the hyperparameters (compiler/spec/schema.ts), so they are
// never typed twice; the Trainer allocates the slots once and checkpoints them by name.

/** A number hyperparameter's allowed values, as the spec's error messages say them. */
export type Range = "> 0" | "≥ 0" | "[0, 1)";

export type Hyper =
  | { readonly type: "number"; readonly range: Range; readonly default: number }
  | { readonly type: "boolean"; readonly default: boolean };

export type Hypers = Readonly<Record<string, Hyper>>;

/** The values of a set of hyperparameters: numbers and booleans. */
export type HyperValues<H extends Hypers> = { readonly [K in keyof H]: H[K] extends { type: "boolean" } ? boolean : number };

/** A rule between hyperparameters ("nesterov needs momentum > 0"), reported at `key`. */
export interface HyperProblem {
  readonly key: string;
  readonly message: string;
}

export interface OptimizerDef<H extends Hypers = Hypers> {
  readonly name: string;
  /** The update in one line, for the README and comments. */
  readonly math: string;
  /** The learning rate when the spec gives none; null: the spec must say (frameworks disagree). */
  readonly defaultLr: number | null;
  readonly hypers: H;
  /** Per-parameter state, each a Float32Array laid out like params (checkpointed as `optimizer.<slot>`). */
  readonly slots: readonly string[];
  /** Rules between hyperparameters, checked when the spec is validated. */
  check?(h: HyperValues<H>): HyperProblem[];
  /** Fills fresh slots (they start zeroed; Adagrad starts its sums at initial_accumulator). */
  reset?(slots: readonly Float32Array[], h: HyperValues<H>): void;
  /**
   * One update of every parameter, in place, allocating nothing; `at` holds this step's
   * numbers by STEP. Returns whether every updated parameter is finite (see the end of this file).
   */
  step(params: Float32Array, grads: Float32Array, slots: readonly Float32Array[], h: HyperValues<H>, at: Float64Array): boolean;
}

/**
 * What changes from step to step, in a Float64Array by these indices: the learning rate of
 * this step (schedule × warmup), the 1-based step count t (Adam's bias correction), and the
 * factor every gradient is multiplied by (global-norm clipping; 1 when off). An array, not
 * arguments: a double computed each step and passed to (or returned from) a call V8 does not
 * inline is boxed, which is an allocation per step.
 */
export const STEP = { lr: 0, t: 1, scale: 2 } as const;

/** A fresh step record: lr 0, t 0, scale 1. */
export const stepRecord = (): Float64Array => Float64Array.of(0, 0, 1);

/** Checks the def against its own declarations' types (the registry checks the rest). */
export const defineOptimizer = <const H extends Hypers>(def: OptimizerDef<H>): OptimizerDef<H> => def;

// Why the update rules sum what they store: summing costs one add per element (far cheaper
// than a second pass), and a NaN/Infinity anywhere makes the sum non-finite (each value is
// Math.fround'ed first: the value as stored, so a float32 overflow to Infinity is seen). They
// return a boolean, not the sum: a double returned from a call V8 does not inline is boxed
// (allocated) each step.
