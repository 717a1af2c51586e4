// Lowering a graph spec's expressions to IR nodes: names read the inputs, parameters and
// earlier nodes; operators and calls become ops. A shape that does not fit is the user's
// mistake, so it is a GraphError at the exact expression, not an internal error.

import type { GraphBuilder } from "./ir/builder.ts";
import { shapeText, type Shape } from "./ir/types.ts";
import { callable } from "./ops/calls.ts";
import type { LayerContext, LayerDefaults } from "./ops/layer.ts";
import type { Attrs } from "./ops/op.ts";
import { activations, layers, opDef } from "./ops/registry.ts";
import type { Expr } from "./spec/graph/expr.ts";
import type { OpRef } from "./spec/types.ts";

/** A mistake found while lowering a graph node: its name and the offset in its expression. */
export class GraphError extends Error {
  constructor(readonly node: string, readonly at: number, message: string) {
    super(message);
    this.name = "GraphError";
  }
}

const BINARY_OPS = { "+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul" } as const;

export interface ExprContext {
  readonly g: GraphBuilder;
  /** The spec node being lowered: errors name it, temporaries are named after it. */
  readonly node: string;
  readonly env: ReadonlyMap<string, number>;
  /** The context a layer called from this node lowers in (it owns what the layer creates). */
  readonly layer: LayerContext;
  readonly defaults: LayerDefaults;
}

/** Lowers one expression; returns its value. */
export function lowerExpr(c: ExprContext, e: Expr): number {
  const fail = (message: string): never => {
    throw new GraphError(c.node, e.at, message);
  };
  const add = (op: string, inputs: readonly number[], attrs: Attrs): number => {
    const rule = opDef(op).shape(inputs.map((i) => c.g.value(i)), attrs);
    if (typeof rule === "string") fail(rule);
    return c.g.add(op, inputs, attrs, `${c.node}_${op}`);
  };
  switch (e.kind) {
    case "number":
      return add("const", [], { value: e.value });
    case "name":
      return c.env.get(e.name)!;
    case "negate":
      return add("neg", [lowerExpr(c, e.arg)], {});
    case "binary":
      return add(BINARY_OPS[e.op], [lowerExpr(c, e.left), lowerExpr(c, e.right)], {});
    case "index": {
      if (e.index.kind !== "number" || !Number.isInteger(e.index.value) || e.index.value < 0) {
        throw new GraphError(c.node, e.index.at, "an index must be a whole number ≥ 0, like w[0]");
      }
      return add("index", [lowerExpr(c, e.target)], { i: e.index.value });
    }
    case "call":
      return lowerCall(c, e, fail);
  }
}

function lowerCall(c: ExprContext, e: Extract<Expr, { kind: "call" }>, fail: (m: string) => never): number {
  const def = callable(e.fn)!; // checked before lowering (spec/graph/check.ts)
  const args = e.args.map((arg, k) => {
    const kind = def.args[k]!;
    if (kind === "tensor") return lowerExpr(c, arg);
    if (kind === "count") {
      if (arg.kind !== "number" || !Number.isInteger(arg.value) || arg.value < 1) {
        throw new GraphError(c.node, arg.at, `${e.fn}(): argument ${k + 1} must be a whole number ≥ 1 (${def.usage})`);
      }
      return arg.value;
    }
    if (kind === "padding") {
      if (arg.kind !== "name" || (arg.name !== "valid" && arg.name !== "same")) {
        throw new GraphError(c.node, arg.at, `${e.fn}(): argument ${k + 1} must be valid or same (${def.usage})`);
      }
      return arg.name;
    }
    if (kind === "number") {
      // A literal, possibly negated (`-0.1` parses as a negation): the layer's check judges its range.
      const value = arg.kind === "number" ? arg.value : arg.kind === "negate" && arg.arg.kind === "number" ? -arg.arg.value : undefined;
      if (value === undefined) throw new GraphError(c.node, arg.at, `${e.fn}(): argument ${k + 1} must be a number (${def.usage})`);
      return value;
    }
    if (arg.kind !== "name" || !Object.hasOwn(activations, arg.name)) {
      throw new GraphError(c.node, arg.at, `${e.fn}(): argument ${k + 1} must name an activation (${Object.keys(activations).join(", ")})`);
    }
    const attrs = activations[arg.name as keyof typeof activations].attrs?.parse({}) as OpRef["attrs"] | undefined;
    return { op: arg.name, attrs: attrs ?? {} };
  });
  if ("op" in def.target) {
    const op = def.target.op;
    const rule = opDef(op).shape([c.g.value(args[0] as number)], {});
    if (typeof rule === "string") fail(`${e.fn}(): ${rule}`);
    const attrs = opDef(op).attrs?.parse({}) as Attrs | undefined;
    return c.g.add(op, [args[0] as number], attrs ?? {}, `${c.node}_${op}`);
  }
  const layer = layers[def.target.layer];
  const input = c.g.value(args[0] as number);
  const wants = layer.input ?? "rows";
  if (!input.batched) fail(`${e.fn}() needs a batch (give the spec a train: { batch: N } section); got ${shapeText(input.shape)}`);
  if (wants === "rows" && input.shape.length !== 2) {
    // In a graph, which tensor is flattened is the writer's choice: it is not done silently.
    fail(input.shape.length === 4
      ? `${e.fn}() needs a batch of feature rows [batch, n]; got images ${shapeText(input.shape)}: write ${e.fn}(flatten(…), …) to read them as rows of ${shapeText([input.shape.slice(1).reduce((a, b) => a * b, 1)])}`
      : `${e.fn}() needs a batch of feature rows [batch, n]; got ${shapeText(input.shape)}`);
  }
  const wrong = layer.call.check?.(args, input);
  if (wrong) throw new GraphError(c.node, wrong.arg < 0 ? e.at : e.args[wrong.arg]!.at, wrong.message);
  const attrs = layer.call.attrs(args, c.defaults);
  const misfit = layer.check?.(attrs, [input]);
  if (misfit) fail(`${e.fn}(): ${misfit}`);
  return layer.lower(c.layer, [args[0] as number], attrs);
}

/** A per-sample shape with the batch dimension in front, when the spec has one. */
export const batchedShape = (shape: Shape, batch: number | null): Shape => (batch === null ? shape : [batch, ...shape]);
