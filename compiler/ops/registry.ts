// The op registry: every op the compiler knows, by name. The spec's enums of activations
// and losses are built from these records, never typed twice.
import { own } from "../../runtime/own.ts";
import type { OpDef } from "./op.ts";
import type { Activation } from "./elementwise.ts";
import { activationDefs, activations } from "./activations/index.ts";
import type { LossDef } from "./loss.ts";
import type { LayerDef } from "./layer.ts";
import type { LayerSpec } from "../spec/types.ts";
import { dense } from "./layers/dense.ts";
import { maxout as maxoutLayer } from "./layers/maxout.ts";
import { dropout as dropoutLayer } from "./layers/dropout.ts";
import { batch_norm as batchNormLayer } from "./layers/batch_norm.ts";
import { dropout, dropout_mask } from "./core/dropout.ts";
import { batch_norm, batch_norm_dgamma, batch_norm_grad } from "./core/batch_norm.ts";
import { conv2d as conv2dLayer } from "./layers/conv2d.ts";
import { avgPool, maxPool } from "./layers/pool.ts";
import { flatten } from "./layers/flatten.ts";
import { channel_sum, conv2d, conv2d_grad_input, conv2d_grad_weights } from "./conv/conv2d.ts";
import { avg_pool, avg_pool_grad, max_pool, max_pool_grad } from "./conv/pool.ts";
import { reshape } from "./conv/reshape.ts";
import { add } from "./core/add.ts";
import { copy } from "./core/copy.ts";
import { bias_add, sum_rows } from "./core/bias_add.ts";
import { defineGemm } from "./core/gemm.ts";
import { matmul, matmul_nt, matmul_tn } from "./core/matmul.ts";
import { maxout, maxout_grad } from "./core/maxout.ts";
import { l1, l2 } from "./core/regularizers.ts";
import { hinge, hinge_grad } from "./losses/hinge.ts";
import { mse } from "./losses/mse.ts";
import { sigmoid_cross_entropy } from "./losses/sigmoid_cross_entropy.ts";
import { softmax_cross_entropy, softmax_cross_entropy_grad } from "./losses/softmax_cross_entropy.ts";
import { squared_error } from "./losses/squared_error.ts";
import { div, mul, sub } from "./math/arithmetic.ts";
import { constant } from "./math/const.ts";
import { index, index_grad } from "./math/index.ts";
import { broadcast, max, max_grad, mean, sum, sum_all } from "./math/reduce.ts";
import { exp, log, neg } from "./math/unary.ts";

/** Element-wise activations a layer can name (maxout is a layer kind of its own): activations/index.ts. */
export { activations };
const backwardOf = (defs: readonly Activation[]): Record<string, OpDef> => Object.fromEntries(defs.map((a) => [a.backward.name, a.backward]));


/** Layer kinds a spec node can name; each lowers itself to the primitive ops below. */
export const layers = {
  dense,
  maxout: maxoutLayer,
  dropout: dropoutLayer,
  batch_norm: batchNormLayer,
  conv2d: conv2dLayer,
  max_pool: maxPool,
  avg_pool: avgPool,
  flatten,
} satisfies Record<string, LayerDef<LayerSpec>>;

export const losses = {
  softmax_cross_entropy,
  sigmoid_cross_entropy: sigmoid_cross_entropy.loss,
  hinge,
  mse: mse.loss,
  squared_error: squared_error.loss,
} satisfies Record<string, LossDef>;

export const regularizers = { l1: l1.forward, l2: l2.forward } satisfies Record<string, OpDef>;

/** The math a graph expression can write besides activations and layers (`x * y`, `sum(h)`, `w[0]`). */
export const math = {
  const: constant,
  sub,
  mul,
  div,
  neg: neg.forward,
  exp: exp.forward,
  log: log.forward,
  sum,
  mean,
  max,
  index,
  /** Not written in graphs: the gradient of a broadcast scalar, and a batch's total. */
  sum_all,
} satisfies Record<string, OpDef>;

/** Every op with a gradient rule: each one must have a gradient check (test/ops.test.ts). */
export const differentiableOps = {
  ...activations,
  ...losses,
  ...regularizers,
  ...math,
  matmul,
  bias_add,
  maxout,
  add,
  dropout,
  batch_norm,
  conv2d,
  max_pool,
  avg_pool,
  reshape,
} satisfies Record<string, OpDef>;

/** Ops that only appear in backward graphs, added by gradient rules. */
export const backwardOps = {
  matmul_nt,
  matmul_tn,
  sum_rows,
  maxout_grad,
  softmax_cross_entropy_grad,
  hinge_grad,
  sigmoid_cross_entropy_grad: sigmoid_cross_entropy.grad,
  mse_grad: mse.grad,
  squared_error_grad: squared_error.grad,
  l1_grad: l1.backward,
  l2_grad: l2.backward,
  broadcast,
  max_grad,
  index_grad,
  copy,
  batch_norm_grad,
  batch_norm_dgamma,
  conv2d_grad_input,
  conv2d_grad_weights,
  channel_sum,
  max_pool_grad,
  avg_pool_grad,
  ...backwardOf([...Object.values(activationDefs), neg, exp, log]),
} satisfies Record<string, OpDef>;

/** Ops with no gradient of their own: they read only state (dropout's mask from its PRNG stream). */
export const stateOps = { dropout_mask } satisfies Record<string, OpDef>;

/** Ops made by the fuse pass after autodiff (their float64 meaning composes the ops above). */
export const fusedOps = { gemm: defineGemm((name) => opDef(name)) } satisfies Record<string, OpDef>;

export const ops: Readonly<Record<string, OpDef>> = { ...differentiableOps, ...backwardOps, ...stateOps, ...fusedOps };

export type ActivationName = keyof typeof activations;
export type LossName = keyof typeof losses;

export const activationNames = Object.keys(activations) as [ActivationName, ...ActivationName[]];
export const lossNames = Object.keys(losses) as [LossName, ...LossName[]];

/** The op named `name`; an unknown name is a compiler bug, not a user error. */
export function opDef(name: string): OpDef {
  const op = own(ops, name);
  if (!op) throw new Error(`internal: no op named ${name}`);
  return op;
}
