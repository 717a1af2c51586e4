// The element-wise activations a layer can name, each with its gradient op. Kept apart from
// the registry so that ops which fuse an activation (conv2d) can look one up without
// importing the registry that imports them.
import { own } from "../../../runtime/own.ts";
import type { Activation } from "../elementwise.ts";
import type { OpDef } from "../op.ts";
import { elu } from "./elu.ts";
import { identity } from "./identity.ts";
import { leaky_relu } from "./leaky_relu.ts";
import { relu } from "./relu.ts";
import { sigmoid } from "./sigmoid.ts";
import { softplus } from "./softplus.ts";
import { swish } from "./swish.ts";
import { tanh } from "./tanh.ts";

export const activationDefs = { identity, relu, leaky_relu, elu, sigmoid, tanh, softplus, swish } satisfies Record<string, Activation>;

const forwardOps = <K extends string>(defs: Record<K, Activation>) =>
  Object.fromEntries(Object.entries<Activation>(defs).map(([k, a]) => [k, a.forward])) as Record<K, OpDef>;

/** Each activation's forward op, by name. */
export const activations = forwardOps(activationDefs);

/** The activation op named `name`; an unknown name is a compiler bug (the spec's enum is built from this table). */
export function activationOp(name: string): OpDef {
  const op = own(activations, name);
  if (!op) throw new Error(`internal: no activation named ${name}`);
  return op;
}
