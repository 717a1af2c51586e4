// The IR: a tiny SSA graph of typed values with static shapes (cf. JAX autodidax's Jaxpr).
// Every value is defined exactly once, by a node or as a graph input/parameter.

export type Shape = readonly number[]; // [] scalar, [n] vector, [rows, cols] matrix (row-major)
export type DType = "f32" | "i32";

/** Where a value comes from: fed by the user, learned, or computed. */
export type ValueKind = "input" | "target" | "param" | "temp";

export interface Value {
  readonly id: number;
  /** Readable and a valid identifier, e.g. `z1`, `W1`, `dW1`: used in dumps and generated code. */
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly kind: ValueKind;
  /** Whether the first dimension is the batch (rows): only those loops use the row count. */
  readonly batched: boolean;
}

export interface Node {
  readonly op: string;
  readonly inputs: readonly number[];
  readonly output: number;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The spec path this node was lowered from, e.g. `layers[0]`; used in messages and comments. */
  readonly path: string;
  readonly phase: "forward" | "backward";
}

export interface ParamInfo {
  readonly value: number;
  /** `W` (weights, regularized) or `b` (bias). */
  readonly role: "weights" | "bias";
  readonly layer: number;
  readonly init: InitRule;
  /** Regularizer multiplier for this tensor (0 = not regularized). */
  readonly regularize: number;
}

export type InitRule =
  | { kind: "zeros" }
  | { kind: "normal"; mean: number; std: number }
  | { kind: "uniform"; min: number; max: number };

export interface Graph {
  readonly values: readonly Value[];
  readonly nodes: readonly Node[];
  readonly input: number;
  readonly target: number;
  readonly params: readonly ParamInfo[];
  /** The network's output (pre-loss scores / predictions). */
  readonly output: number;
  readonly dataLoss: number;
  /** Scalar regularizer penalty, or -1 when the spec has none. */
  readonly regLoss: number;
  /** dataLoss + regLoss (same as dataLoss when there is no regularizer). */
  readonly loss: number;
  /** A one-line summary per spec path (`layers[0]` → `dense 4→6, relu`) for comments and dumps. */
  readonly notes: Readonly<Record<string, string>>;
}

export interface TrainGraph extends Graph {
  /** param value id → its gradient value id (same order as `params`). */
  readonly grads: readonly number[];
}

export const shapeSize = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
export const shapeText = (shape: Shape): string => (shape.length === 0 ? "scalar" : shape.join("×"));
