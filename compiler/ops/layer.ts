// Layer ops (dense, maxout; later conv2d, batch_norm, dropout) are what a spec node names.
// A layer lowers itself to primitive ops, creating the parameters and state buffers it owns
// through the context, so lower() never learns what any layer is made of.

import type { DType, InitRule, Shape, Value } from "../ir/types.ts";
import type { InitSpec, LayerSpec, OpRef } from "../spec/types.ts";
import type { Attrs } from "./op.ts";

/** What a layer's lowering may do; the owner (spec path) is stamped on everything it creates. */
export interface LayerContext {
  /** The identifier for something this layer makes: role `W` of layers[0] is `W1`, of graph node h1 `h1_W`. */
  name(role: string): string;
  value(id: number): Value;
  /** Adds a primitive op's node; returns its output value. */
  add(op: string, inputs: readonly number[], attrs: Attrs, name: string): number;
  /** A trained parameter, e.g. role `weights` or `biases`. */
  param(role: string, name: string, shape: Shape, init: InitRule, regularize: number): number;
  /** A buffer kept across steps, not trained: saved in checkpoints, reset to `fill` by init. */
  state(role: string, name: string, shape: Shape, dtype: DType, fill: number): number;
  /** A PRNG stream of its own (state role `rng`): init(seed) restarts it, checkpoints keep it. */
  stream(name: string): number;
}

export interface LayerDef<A = Attrs> {
  readonly name: string;
  /**
   * How a graph expression calls it, e.g. `dense(h, 16, relu)`: the kinds of its arguments
   * (a tensor, a literal count, an activation's name), how many trailing ones are optional,
   * and the attributes those arguments make, with the spec's defaults for the rest.
   */
  readonly call: {
    readonly args: readonly ("tensor" | "count" | "activation" | "number" | "padding")[];
    readonly optional: number;
    readonly usage: string;
    /** `args` are the call's arguments: a tensor's value id, a count, or an activation with its default attributes. */
    attrs(args: readonly (number | string | OpRef | undefined)[], defaults: LayerDefaults): A;
    /**
     * What is wrong with the call, if anything: argument `arg` (0-based; -1 is the call as a
     * whole) and a message. `input` is the tensor it is applied to.
     */
    check?(args: readonly (number | string | OpRef | undefined)[], input: Value): { readonly arg: number; readonly message: string } | undefined;
  };
  /** What it reads: rows [batch, n] (the default), images [batch, H, W, C], or either. */
  readonly input?: "rows" | "images" | "any";
  /** Why the layer cannot take these inputs (a user's error, with both shapes), or null. */
  check?(attrs: A, inputs: readonly Value[]): string | null;
  /** Builds the layer from its input values; returns its output value. */
  lower(ctx: LayerContext, inputs: readonly number[], attrs: A): number;
  /** A one-line summary for comments, dumps and explain, e.g. `dense 4→6, relu`. */
  describe(attrs: A, inputs: readonly Value[]): string;
}

/** What a layer called from a graph takes from the spec: the init section, the regularizer's reach. */
export interface LayerDefaults {
  readonly init: { readonly weights: InitSpec; readonly biases: InitSpec };
  /** Multiplier of the spec's regularizer on biases (1 with `regularizer.biases: true`, else 0). */
  readonly regularizeBias: number;
}

/** Fan-based initialisers (Glorot, He) resolved for a [fanIn, fanOut] weight matrix. */
export function resolveInit(init: InitSpec, fanIn: number, fanOut: number): InitRule {
  switch (init.kind) {
    case "glorot_uniform": {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return { kind: "uniform", min: -limit, max: limit };
    }
    case "glorot_normal":
      return { kind: "normal", mean: 0, std: Math.sqrt(2 / (fanIn + fanOut)) };
    case "he_uniform": {
      const limit = Math.sqrt(6 / fanIn);
      return { kind: "uniform", min: -limit, max: limit };
    }
    case "he_normal":
      return { kind: "normal", mean: 0, std: Math.sqrt(2 / fanIn) };
    default:
      return init;
  }
}

/** The fields a layer that keeps its input's width (dropout, batch_norm) does not use, when called from a graph. */
export function passThrough(kind: "dropout" | "batch_norm", d: LayerDefaults): LayerSpec {
  return { kind, units: 0, pieces: 1, activation: { op: "identity", attrs: {} }, bias: false, init: d.init, regularize: 0, regularizeBias: 0 };
}
