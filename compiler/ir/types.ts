// The IR: a tiny SSA graph of typed values with static shapes (cf. JAX autodidax's Jaxpr).
// Every value is defined exactly once, by a node or as a leaf: a named input, a target, a
// parameter (owned by the spec node that created it) or a state buffer (running statistics,
// a PRNG stream: written by training, read by inference, saved in checkpoints).

export type Shape = readonly number[]; // [] scalar, [n] vector, [rows, cols] matrix (row-major)
export type DType = "f32" | "i32";

/** Where a value comes from: fed by the user, learned, carried across steps, or computed. */
export type ValueKind = "input" | "target" | "param" | "state" | "temp";

export interface Value {
  readonly id: number;
  /** Readable and a valid identifier, e.g. `z1`, `W1`, `dW1`: used in dumps and generated code. */
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly kind: ValueKind;
  /** Whether the first dimension is the batch (rows): only those loops use the row count. */
  readonly batched: boolean;
  /** Measured to be mostly zeros (e.g. MNIST pixels): matrix products gather its nonzero steps. */
  readonly sparse?: boolean;
}

/**
 * Which entry point a node runs in. Most forward nodes are the same in training and
 * inference; an op whose code differs by mode (dropout, batch norm) is emitted twice.
 */
export type EmitMode = "train" | "infer";

export interface Node {
  readonly op: string;
  readonly inputs: readonly number[];
  readonly output: number;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The spec node this was lowered from, e.g. `layers[0]` or `h1`; used in messages and comments. */
  readonly path: string;
  readonly phase: "forward" | "backward";
}

/** A named value at the graph's boundary: an input (`x`), a target (`t`) or an output. */
export interface Port {
  readonly name: string;
  readonly value: number;
}

export interface ParamInfo {
  readonly value: number;
  /** The spec node that created it, e.g. `layers[0]` or `h1`. */
  readonly owner: string;
  /** What it is to its owner: `weights` (regularized by default), `biases`, `gamma`, `beta`, … */
  readonly role: string;
  readonly init: InitRule;
  /** Regularizer multiplier for this tensor (0 = not regularized). */
  readonly regularize: number;
}

/** A buffer an op keeps across steps; not trained, but saved and restored with the weights. */
export interface StateInfo {
  readonly value: number;
  readonly owner: string;
  /** e.g. `running_mean`, `running_var`, `rng`. */
  readonly role: string;
  /** Every element's value after init (running variance starts at 1). */
  readonly fill: number;
  /**
   * A PRNG stream (dropout masks): init(seed) starts it from the seed mixed with this salt, so
   * streams of different layers differ. Two elements hold the 32-bit state as 16-bit halves
   * (exact in float32, so checkpoints keep it bit for bit); `fill` is their value before init.
   */
  readonly stream?: number;
}

export type InitRule =
  | { kind: "zeros" }
  | { kind: "ones" }
  | { kind: "normal"; mean: number; std: number }
  | { kind: "uniform"; min: number; max: number };

export interface Graph {
  readonly values: readonly Value[];
  readonly nodes: readonly Node[];
  readonly inputs: readonly Port[];
  /** What the loss compares the outputs with (empty for a graph with no loss). */
  readonly targets: readonly Port[];
  /** The network's outputs (pre-loss scores / predictions). */
  readonly outputs: readonly Port[];
  /** The value of each spec node, by its name in the spec (a graph node's name, or `layers[i]`). */
  readonly named: readonly Port[];
  readonly params: readonly ParamInfo[];
  readonly state: readonly StateInfo[];
  /** Scalar data loss. */
  readonly dataLoss: number;
  /** Scalar regularizer penalty, or -1 when the spec has none. The loss is dataLoss + regLoss. */
  readonly regLoss: number;
  /** A one-line summary per spec node (`layers[0]` → `dense 4→6, relu`) for comments and dumps. */
  readonly notes: Readonly<Record<string, string>>;
}

export interface TrainGraph extends Graph {
  /** param value id → its gradient value id (same order as `params`). */
  readonly grads: readonly number[];
  /** The gradient value of each input (same order as `inputs`), or -1 where none was asked for. */
  readonly inputGrads: readonly number[];
  /**
   * Every forward value that has a gradient → the value holding ∂loss/∂it (before fuse;
   * fusion may fold some of these away). The loss terms themselves are absent: theirs is 1.
   */
  readonly adjoints: ReadonlyMap<number, number>;
}

export const shapeSize = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
export const shapeText = (shape: Shape): string => (shape.length === 0 ? "scalar" : shape.join("×"));

/** The terms whose sum is the training loss (the data loss, and the penalty if any). */
export const lossTerms = (g: Graph): number[] => (g.regLoss >= 0 ? [g.dataLoss, g.regLoss] : [g.dataLoss]);

/** The single input/target/output of a graph that has exactly one (v1 specs, the runtime's Model). */
export function only(ports: readonly Port[], what: string): number {
  if (ports.length !== 1) throw new Error(`internal: expected one ${what}, the graph has ${ports.length}`);
  return ports[0]!.value;
}
