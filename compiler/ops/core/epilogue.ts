// A fused epilogue (bias, activation, its derivative, a penalty's gradient, …) as a small
// expression tree, rendered to the statements of one output element. The rules of the ops
// are code templates (`scalar`); the tree knows which operand is which, so it can count how
// often a rule reads each one (by rendering it over unique markers, never by searching the
// code for a name) and bind an operand to a local only when the rule would otherwise
// compute it twice.

/** An element expression: a value written out wherever it is read, or a rule over operands. */
export type Expr =
  | { readonly kind: "leaf"; readonly code: string }
  | { readonly kind: "apply"; readonly rule: (operands: readonly string[]) => string; readonly args: readonly Expr[] };

/** An accumulator, an element read (`c00`, `b1[n]`) or an inlined op over reads: written out wherever it is read. */
export const leaf = (code: string): Expr => ({ kind: "leaf", code });
export const apply = (rule: (operands: readonly string[]) => string, args: readonly Expr[]): Expr => ({ kind: "apply", rule, args });

/** How many times `rule` reads each of its `n` operands, and whether every read already sits in parentheses, as `f(x)`. */
export function readsOf(rule: (operands: readonly string[]) => string, n: number): { count: number; enclosed: boolean }[] {
  const marks = Array.from({ length: n }, (_, k) => `\u0000${k}\u0000`);
  const code = rule(marks);
  return marks.map((m) => {
    const parts = code.split(m);
    const enclosed = parts.slice(0, -1).every((before, i) => before.endsWith("(") && parts[i + 1]!.startsWith(")"));
    return { count: parts.length - 1, enclosed };
  });
}

/**
 * The statements computing `e`, the last being its value's expression. A compound operand
 * read more than once is bound to `local` first (`const`, unless a later binding reuses it).
 * At most one compound operand of a rule may need binding: an epilogue is a chain over the
 * running value, with element reads beside it.
 */
export function render(e: Expr, local = "v"): string[] {
  const lines: string[] = [];
  let declared = false;
  let reassigned = false;
  const bind = (code: string): string => {
    if (code === local) return local;
    lines.push(`${declared ? "" : "let "}${local} = ${code};`);
    reassigned ||= declared;
    declared = true;
    return local;
  };
  const code = (e: Expr): string => {
    switch (e.kind) {
      case "leaf":
        return e.code;
      case "apply": {
        const reads = readsOf(e.rule, e.args.length);
        const compound = e.args.map((a, k) => a.kind !== "leaf" && reads[k]!.count > 1);
        if (compound.filter(Boolean).length > 1) throw new Error("internal: an epilogue rule reads two compound operands twice");
        const operands = e.args.map((a, k) => {
          const c = code(a);
          if (compound[k]) return bind(c);
          return a.kind === "leaf" || c === local || reads[k]!.enclosed ? c : `(${c})`;
        });
        return e.rule(operands);
      }
    }
  };
  const value = code(e);
  if (declared && !reassigned) lines[0] = lines[0]!.replace(/^let /, "const ");
  return [...lines, value];
}
