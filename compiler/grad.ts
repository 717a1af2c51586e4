// Gradients at a point (`netspec grad`): evaluate a differentiated graph once in float64 and
// report, for every input, parameter and spec node, its value and ∂objective/∂it. The
// objective is the loss when the spec has one, else the graph's output. Pure: no I/O; the
// point comes in as parsed `--at` assignments plus defaults the caller supplies.

import { interpret, type Feeds } from "./interpret.ts";
import { lossTerms, shapeSize, shapeText, type Graph, type Shape, type TrainGraph } from "./ir/types.ts";
import type { Tensor64 } from "./ops/op.ts";
import { didYouMean } from "./spec/suggest.ts";

export interface GradRow {
  readonly kind: "input" | "param" | "node";
  readonly name: string;
  readonly shape: Shape;
  readonly value: number[];
  /** ∂objective/∂this, or null where it has none (nothing differentiated depends on it). */
  readonly grad: number[] | null;
}

export interface GradReport {
  /** What is differentiated: `loss`, or the output's name for a spec without a loss. */
  readonly of: string;
  /** Its value at the point (data loss + penalty for a loss). */
  readonly value: number;
  readonly rows: GradRow[];
}

/** A user mistake in `--at` or a missing value; the CLI prints each problem on its own line. */
export class PointError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "PointError";
  }
}

/** Values given by name with `--at`. */
export type Point = ReadonlyMap<string, Float64Array>;

/** What `--at` can set: inputs and targets by port name, parameters by their value's name. */
export function settable(graph: Graph): { name: string; kind: "input" | "target" | "param"; value: number }[] {
  return [
    ...graph.inputs.map((p) => ({ name: p.name, kind: "input" as const, value: p.value })),
    ...graph.targets.map((p) => ({ name: p.name, kind: "target" as const, value: p.value })),
    ...graph.params.map((p) => ({ name: graph.values[p.value]!.name, kind: "param" as const, value: p.value })),
  ];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** `name=` starts an assignment; a comma before it separates assignments, not numbers. */
const ASSIGNMENT = /^\s*([A-Za-z_][\w.[\]]*)\s*=(.*)$/s;

/**
 * Parses `--at` arguments: `["x=-2,y=5,z=-4"]` or `["x=-1,-2", "w=2,-3,-3"]`. Every problem
 * (unknown name, wrong count, not a number, given twice) is collected into one PointError.
 */
export function parsePoint(args: readonly string[], graph: Graph): Point {
  const assignments: { name: string; numbers: string[] }[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    let current: { name: string; numbers: string[] } | null = null;
    for (const token of arg.split(",")) {
      const m = ASSIGNMENT.exec(token);
      if (m) assignments.push((current = { name: m[1]!, numbers: [m[2]!] }));
      else if (current) current.numbers.push(token);
      else {
        problems.push(`--at '${arg}': expected name=value, e.g. x=-2,y=5 or w=2,-3,-3`);
        break;
      }
    }
  }
  const targets = settable(graph);
  const computed = new Set(graph.named.map((p) => p.name));
  const point = new Map<string, Float64Array>();
  for (const { name, numbers } of assignments) {
    const target = targets.find((t) => t.name === name);
    if (!target) {
      problems.push(
        computed.has(name)
          ? `--at ${name}: '${name}' is computed by the graph; only inputs and parameters can be given (${targets.map((t) => t.name).join(", ")})`
          : `--at ${name}: no input or parameter is named '${name}'${didYouMean(name, targets.map((t) => t.name))}`,
      );
      continue;
    }
    if (point.has(name)) {
      problems.push(`--at ${name}: given twice`);
      continue;
    }
    const v = graph.values[target.value]!;
    const bad = numbers.map((s) => s.trim()).filter((s) => !NUMBER.test(s));
    if (bad.length) {
      problems.push(`--at ${name}: ${bad.map((s) => (s === "" ? "an empty number (a stray comma?)" : `'${s}' is not a number`)).join(", ")}`);
      continue;
    }
    const values = Float64Array.from(numbers, Number);
    const size = shapeSize(v.shape);
    if (values.length !== size) {
      problems.push(`--at ${name}: ${name} has shape ${shapeText(v.shape)}, so it takes ${size} number${size === 1 ? "" : "s"} (got ${values.length})`);
    } else if (v.dtype === "i32" && !values.every((x) => Number.isInteger(x) && x >= 0)) {
      problems.push(`--at ${name}: class labels are whole numbers ≥ 0`);
    } else if (!values.every(Number.isFinite)) {
      problems.push(`--at ${name}: every number must be finite`);
    } else point.set(name, values);
  }
  if (problems.length) throw new PointError(problems);
  return point;
}

/** Values for what `--at` did not give: the spec's initial parameters, a batch of its data. */
export interface Defaults {
  readonly params?: readonly Float64Array[] | null;
  readonly inputs?: readonly Float64Array[] | null;
  readonly targets?: readonly Float64Array[] | null;
  /** State buffers after init (dropout streams, running statistics); their fill values when absent. */
  readonly state?: readonly Float64Array[] | null;
}

/** The interpreter's feeds: each value from the point if given there, else from the defaults. */
export function feedsAt(graph: Graph, point: Point, defaults: Defaults = {}): Feeds {
  const missing: string[] = [];
  const pick = (name: string, kind: string, id: number, fallback: Float64Array | undefined): Float64Array => {
    const given = point.get(name) ?? fallback;
    if (given) return given;
    const size = shapeSize(graph.values[id]!.shape);
    missing.push(`no value for ${kind} '${name}' (${size} number${size === 1 ? "" : "s"}); give it with --at ${name}=…`);
    return new Float64Array(size);
  };
  const feeds: Feeds = {
    inputs: graph.inputs.map((p, k) => pick(p.name, "input", p.value, defaults.inputs?.[k])),
    targets: graph.targets.map((p, k) => pick(p.name, "target", p.value, defaults.targets?.[k])),
    params: graph.params.map((p, k) => pick(graph.values[p.value]!.name, "parameter", p.value, defaults.params?.[k])),
    ...(defaults.state ? { state: defaults.state } : {}),
  };
  if (missing.length) throw new PointError(missing);
  return feeds;
}

/** Whether some parameter / input or target has no value in the point (the caller then loads defaults). */
export const needsParams = (graph: Graph, point: Point): boolean => graph.params.some((p) => !point.has(graph.values[p.value]!.name));
export const needsData = (graph: Graph, point: Point): boolean => [...graph.inputs, ...graph.targets].some((p) => !point.has(p.name));

/** ∂objective/∂value from an evaluated TrainGraph, or null where it has none. */
export function gradientOf(graph: TrainGraph, env: readonly Tensor64[], id: number): Float64Array | null {
  if (unitGradients(graph).has(id)) return new Float64Array(shapeSize(graph.values[id]!.shape)).fill(1);
  const d = graph.adjoints.get(id);
  return d === undefined ? null : env[d]!.data;
}

const units = new WeakMap<TrainGraph, Set<number>>();

/**
 * The values whose gradient is exactly 1: the loss terms, and what autodiff passed that unit
 * seed through unchanged (a penalty term summed into reg_loss). Autodiff keeps no value for
 * them, so they are found as it treats them: a value that depends on a parameter or input,
 * has no adjoint, yet feeds an op whose output has a gradient, only ever received the seed.
 */
function unitGradients(graph: TrainGraph): Set<number> {
  const cached = units.get(graph);
  if (cached) return cached;
  const forward = graph.nodes.filter((n) => n.phase === "forward");
  const depends = graph.values.map((v) => v.kind === "param" || v.kind === "input");
  for (const n of forward) if (n.inputs.some((i) => depends[i])) depends[n.output] = true;
  const unit = new Set(lossTerms(graph));
  for (const n of [...forward].reverse()) {
    if (!unit.has(n.output) && !graph.adjoints.has(n.output)) continue;
    for (const i of n.inputs) if (depends[i] && !graph.adjoints.has(i)) unit.add(i);
  }
  units.set(graph, unit);
  return unit;
}

/** The objective's name: the output (or spec node) that is the data loss when there is no penalty, else `loss`. */
export function objectiveName(graph: Graph): string {
  if (graph.regLoss >= 0) return "loss";
  const port = [...graph.outputs, ...graph.named].find((p) => p.value === graph.dataLoss);
  return port?.name ?? "loss";
}

/** Evaluates the graph at `feeds` and reports every input, parameter and spec node. */
export function gradReport(graph: TrainGraph, feeds: Feeds): GradReport {
  const env = interpret(graph, feeds);
  const row = (kind: GradRow["kind"], name: string, id: number): GradRow => {
    const grad = gradientOf(graph, env, id);
    return { kind, name, shape: graph.values[id]!.shape, value: Array.from(env[id]!.data), grad: grad && Array.from(grad) };
  };
  const rows = [
    ...graph.inputs.map((p) => row("input", p.name, p.value)),
    ...graph.params.map((p) => row("param", graph.values[p.value]!.name, p.value)),
    ...graph.named.map((p) => row("node", p.name, p.value)),
  ];
  // The loss and the penalty are spec sections (`loss:`, `regularizer:`), so they get rows too.
  const reported = new Set(graph.named.map((p) => p.value));
  const terms = lossTerms(graph);
  terms.forEach((id, k) => {
    if (!reported.has(id)) rows.push(row("node", k === 0 ? "loss" : "regularizer", id));
  });
  const value = terms.reduce((sum, id) => sum + env[id]!.data[0]!, 0);
  return { of: objectiveName(graph), value, rows };
}
