// The graph form of a spec, checked before it is normalized: names (identifiers, no
// duplicates, none that shadows an op), every expression parsed, every name resolved, no
// cycles, and a warning for nodes nothing uses. Each problem points into the YAML: at a
// name's key, or at the exact column inside an expression.

import type { Finding } from "../issues.ts";
import { didYouMean } from "../suggest.ts";
import type { GraphSpec, TensorDecl } from "../types.ts";
import { namesIn, parseExpr, ExprError, type Expr } from "./expr.ts";
import { callable } from "../../ops/calls.ts";
import { hasOwn } from "../../../runtime/own.ts";

export interface RawGraph {
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly params?: Readonly<Record<string, readonly number[]>>;
  readonly graph: Readonly<Record<string, string | number>>;
  readonly output: string;
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_NAME = 64;

export function checkGraph(raw: RawGraph, reserved: ReadonlySet<string>): { findings: Finding[]; warnings: Finding[]; graph: GraphSpec | null } {
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  const declared = new Map<string, string>(); // name → what it is ("input", "parameter", "node")
  const declare = (section: string, name: string, what: string) => {
    const key = { path: [section], key: name };
    if (!IDENTIFIER.test(name) || name.length > MAX_NAME) {
      findings.push({ ...key, message: `${section}: '${name}' is not a valid name (a letter, then letters, digits or _; at most ${MAX_NAME} characters)` });
    } else if (reserved.has(name)) {
      findings.push({ ...key, message: `${section}: '${name}' is a reserved word; choose another name` });
    } else if (callable(name)) {
      findings.push({ ...key, message: `${section}: '${name}' shadows the op ${name}(); choose another name` });
    } else if (declared.has(name)) {
      findings.push({ ...key, message: `${section}: '${name}' is already defined as ${article(declared.get(name)!)}` });
    }
    declared.set(name, declared.get(name) ?? what);
  };
  const entries = (r: Readonly<Record<string, readonly number[]>> | undefined) => Object.entries(r ?? {}).map(([name, shape]): TensorDecl => ({ name, shape }));
  const inputs = entries(raw.inputs);
  const params = entries(raw.params);
  inputs.forEach((t) => declare("inputs", t.name, "input"));
  params.forEach((t) => declare("params", t.name, "parameter"));
  const names = Object.keys(raw.graph);
  names.forEach((n) => declare("graph", n, "node"));
  if (inputs.length === 0) findings.push({ path: ["inputs"], message: "inputs must name at least one input, like { x: [2] }" });

  // Parse every expression and resolve the names it reads.
  const exprs = new Map<string, Expr>();
  const reads = new Map<string, string[]>();
  for (const name of names) {
    const text = String(raw.graph[name]);
    const at = (column: number, message: string) => findings.push({ path: ["graph", name], column, message: `graph.${name}: ${message}` });
    let expr: Expr;
    try {
      expr = parseExpr(text);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      at(e.at, e.message);
      continue;
    }
    exprs.set(name, expr);
    const used = namesIn(expr, isValueArg);
    for (const u of used) if (!declared.has(u.name)) at(u.at, `unknown name '${u.name}'${didYouMean(u.name, [...declared.keys()])}`);
    for (const c of calls(expr)) {
      const def = callable(c.fn);
      if (!def) at(c.at, `unknown op '${c.fn}'${declared.has(c.fn) ? ` ('${c.fn}' is ${article(declared.get(c.fn)!)}, not an op)` : didYouMean(c.fn, callableNames())}`);
      else if (c.args.length < def.minArgs || c.args.length > def.maxArgs) at(c.at, `${c.fn}() takes ${arity(def.minArgs, def.maxArgs)} (got ${c.args.length}): ${def.usage}`);
    }
    reads.set(name, used.map((u) => u.name).filter((n) => hasOwn(raw.graph, n)));
  }
  if (!declared.has(raw.output)) {
    findings.push({ path: ["output"], message: `output: unknown name '${raw.output}'${didYouMean(raw.output, names)}` });
  }

  const order = topologicalOrder(names, reads);
  if (order.cycle) {
    const cycle = order.cycle;
    findings.push({ path: ["graph"], key: cycle[0]!, message: `graph has a cycle: ${[...cycle, cycle[0]].join(" → ")}` });
  }
  if (findings.length) return { findings, warnings, graph: null };

  // Nodes the output does not depend on are computed for nothing.
  const needed = new Set<string>();
  const visit = (n: string) => {
    if (needed.has(n)) return;
    needed.add(n);
    namesIn(exprs.get(n) ?? { kind: "number", value: 0, at: 0 }, isValueArg).forEach((u) => visit(u.name));
  };
  visit(raw.output);
  for (const n of names) if (!needed.has(n)) warnings.push({ path: ["graph"], key: n, message: `graph.${n} is not used by the output '${raw.output}'` });
  for (const p of params) if (!needed.has(p.name)) warnings.push({ path: ["params"], key: p.name, message: `params.${p.name} is not used by the output '${raw.output}'` });

  return {
    findings,
    warnings,
    graph: { inputs, params, nodes: order.order.map((name) => ({ name, expr: exprs.get(name)!, source: String(raw.graph[name]) })), output: raw.output },
  };
}

/** Whether argument k of a call is a value (a tensor), rather than a count or an op's name. */
const isValueArg = (fn: string, k: number): boolean => (callable(fn)?.args[k] ?? "tensor") === "tensor";
const article = (what: string) => (/^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`);
const arity = (min: number, max: number) => (min === max ? `${min} argument${min === 1 ? "" : "s"}` : `${min} to ${max} arguments`);
const callableNames = (): string[] => callable.names();

function calls(e: Expr): Extract<Expr, { kind: "call" }>[] {
  switch (e.kind) {
    case "number":
    case "name":
      return [];
    case "negate":
      return calls(e.arg);
    case "binary":
      return [...calls(e.left), ...calls(e.right)];
    case "index":
      return [...calls(e.target), ...calls(e.index)];
    case "call":
      return [e, ...e.args.flatMap(calls)];
  }
}

/** Kahn's algorithm in the spec's order; on a cycle, the nodes of one cycle in order. */
function topologicalOrder(names: readonly string[], reads: ReadonlyMap<string, readonly string[]>): { order: string[]; cycle: string[] | null } {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  let cycle: string[] | null = null;
  const stack: string[] = [];
  const visit = (n: string): void => {
    if (cycle || state.get(n) === "done") return;
    if (state.get(n) === "visiting") {
      cycle = stack.slice(stack.indexOf(n));
      return;
    }
    state.set(n, "visiting");
    stack.push(n);
    for (const m of reads.get(n) ?? []) visit(m);
    stack.pop();
    state.set(n, "done");
    order.push(n);
  };
  for (const n of names) visit(n);
  return { order, cycle };
}
