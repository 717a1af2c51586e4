// What a graph expression can call: every activation, the math ops (exp, log, sum, mean,
// max) and the layer ops (dense, maxout, …), each with its arguments. Layer ops declare
// their own call form (LayerDef.call); this table is built from the registry, never typed twice.

import { activations, layers } from "./registry.ts";

/** A tensor expression; a literal count (units, pieces); the name of an activation; a literal number (dropout's p); or `valid` / `same`. */
export type ArgKind = "tensor" | "count" | "activation" | "number" | "padding";

export interface CallDef {
  readonly args: readonly ArgKind[];
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly usage: string;
  /** The op a one-tensor call adds, or the layer it lowers through. */
  readonly target: { readonly op: string } | { readonly layer: keyof typeof layers };
}

/** Calls of ops on one tensor, besides the activations: their op has the same name. */
const MATH = ["exp", "log", "sum", "mean", "max"] as const;

const table = new Map<string, CallDef>([
  ...Object.keys(activations).map((name): [string, CallDef] => [name, unary(name)]),
  ...MATH.map((name): [string, CallDef] => [name, unary(name)]),
  ...Object.entries(layers).map(([name, def]): [string, CallDef] => {
    const { args, optional, usage } = def.call;
    return [name, { args, minArgs: args.length - optional, maxArgs: args.length, usage, target: { layer: name as keyof typeof layers } }];
  }),
]);

function unary(name: string): CallDef {
  return { args: ["tensor"], minArgs: 1, maxArgs: 1, usage: `${name}(x)`, target: { op: name } };
}

/** The call form of an op, or undefined when nothing by that name can be called. */
export const callable = Object.assign((name: string): CallDef | undefined => table.get(name), {
  names: (): string[] => [...table.keys()],
});




