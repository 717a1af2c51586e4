// Graph expressions (`w[0]*x[0] + w[2]`, `dense(h1 + h2, 3)`) parsed with jsep into a small
// typed tree. Every node keeps its offset in the expression text, so an error can point at
// the exact column inside the YAML string.

import jsep from "jsep";

export type BinaryOp = "+" | "-" | "*" | "/" | "@";

export type Expr =
  | { readonly kind: "number"; readonly value: number; readonly at: number }
  | { readonly kind: "name"; readonly name: string; readonly at: number }
  | { readonly kind: "index"; readonly target: Expr; readonly index: Expr; readonly at: number }
  | { readonly kind: "negate"; readonly arg: Expr; readonly at: number }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly kind: "call"; readonly fn: string; readonly args: readonly Expr[]; readonly at: number };

/** A mistake in an expression, at an offset into its text. */
export class ExprError extends Error {
  constructor(readonly at: number, message: string) {
    super(message);
  }
}

const BINARY = new Set<string>(["+", "-", "*", "/", "@"]);

// jsep's operator tables and hooks are global; this module owns them. `@` is the matrix
// product, as in Python, binding like `*`.
jsep.addBinaryOp("@", 10);
// Token start offsets: jsep records none, so a hook notes where each token begins and
// stamps it on the node when the token is done. Numbers are gobbled here so that their
// tokens end through the same hook.
type Positioned = jsep.Expression & { start?: number };
type Parser = { index: number; code: number; gobbleNumericLiteral(): jsep.Expression };
const starts: number[] = [];
const hooks = jsep.hooks as unknown as { add(name: string, hook: (this: Parser, env: { node?: Positioned | false }) => void): void };
hooks.add("gobble-token", function (this: Parser, env) {
  starts.push(this.index);
  if ((this.code >= 48 && this.code <= 57) || this.code === 46) env.node = this.gobbleNumericLiteral();
});
hooks.add("after-token", (env) => {
  const start = starts.pop();
  if (env.node && env.node.start === undefined) env.node.start = start;
});

/** Parses one expression; a syntax error is an ExprError at jsep's offset. */
export function parseExpr(text: string): Expr {
  starts.length = 0;
  let tree: jsep.Expression;
  try {
    tree = jsep(text);
  } catch (e) {
    const err = e as Error & { index?: number; description?: string };
    throw new ExprError(err.index ?? 0, `syntax error: ${(err.description ?? err.message).replace(/ at character \d+$/, "")}`);
  }
  return convert(tree as Positioned, text);
}

/** Where an operator sits: the first occurrence after its left operand ends. */
function operatorAt(text: string, op: string, from: number): number {
  const at = text.indexOf(op, from);
  return at < 0 ? from : at;
}

function convert(node: Positioned, text: string): Expr {
  const at = node.start ?? 0;
  switch (node.type) {
    case "Literal": {
      const value = (node as jsep.Literal).value;
      if (typeof value !== "number") throw new ExprError(at, `only numbers may be written as literals (got ${(node as jsep.Literal).raw})`);
      return { kind: "number", value, at };
    }
    case "Identifier":
      return { kind: "name", name: (node as jsep.Identifier).name, at };
    case "UnaryExpression": {
      const u = node as jsep.UnaryExpression;
      if (u.operator === "+") return convert(u.argument as Positioned, text);
      if (u.operator !== "-") throw new ExprError(at, `operator '${u.operator}' is not supported (use + - * / @)`);
      return { kind: "negate", arg: convert(u.argument as Positioned, text), at };
    }
    case "BinaryExpression": {
      const b = node as jsep.BinaryExpression;
      const left = convert(b.left as Positioned, text);
      const right = convert(b.right as Positioned, text);
      const opAt = operatorAt(text, b.operator, end(left, text));
      if (!BINARY.has(b.operator)) throw new ExprError(opAt, `operator '${b.operator}' is not supported (use + - * / @)`);
      return { kind: "binary", op: b.operator as BinaryOp, left, right, at: opAt };
    }
    case "MemberExpression": {
      const m = node as jsep.MemberExpression;
      if (!m.computed) throw new ExprError(at, "'.' is not supported: name nodes and parameters directly (h1, w)");
      return { kind: "index", target: convert(m.object as Positioned, text), index: convert(m.property as Positioned, text), at };
    }
    case "CallExpression": {
      const c = node as jsep.CallExpression;
      if (c.callee.type !== "Identifier") throw new ExprError(at, "only named ops can be called, e.g. sigmoid(z)");
      return { kind: "call", fn: (c.callee as jsep.Identifier).name, args: c.arguments.map((a) => convert(a as Positioned, text)), at };
    }
    case "Compound":
      throw new ExprError(at, "one expression per node (found several)");
    default:
      throw new ExprError(at, `this kind of expression is not supported here (${node.type})`);
  }
}

/** A conservative end offset of an expression (the start of what follows it). */
function end(e: Expr, text: string): number {
  switch (e.kind) {
    case "number":
    case "name": {
      const m = /^[\w.]+/.exec(text.slice(e.at));
      return e.at + (m?.[0].length ?? 1);
    }
    case "negate":
      return end(e.arg, text);
    case "binary":
      return end(e.right, text);
    case "index":
    case "call": {
      // Up to the matching closing bracket.
      let depth = 0;
      for (let i = e.at; i < text.length; i++) {
        const ch = text[i];
        if (ch === "(" || ch === "[") depth++;
        else if (ch === ")" || ch === "]") if (--depth === 0) return i + 1;
      }
      return text.length;
    }
  }
}

/**
 * Every name an expression reads, with where each is read: not the ops it calls, nor the
 * arguments `isValue(fn, k)` says are not values (an activation's name in dense(h, 4, relu)).
 */
export function namesIn(e: Expr, isValue: (fn: string, k: number) => boolean): { name: string; at: number }[] {
  const visit = (x: Expr): { name: string; at: number }[] => {
    switch (x.kind) {
      case "number":
        return [];
      case "name":
        return [{ name: x.name, at: x.at }];
      case "negate":
        return visit(x.arg);
      case "binary":
        return [...visit(x.left), ...visit(x.right)];
      case "index":
        return [...visit(x.target), ...visit(x.index)];
      case "call":
        return x.args.flatMap((a, k) => (isValue(x.fn, k) ? visit(a) : []));
    }
  };
  return visit(e);
}
