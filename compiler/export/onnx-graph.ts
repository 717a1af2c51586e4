// The inference graph as an ONNX graph, before it is encoded: the nodes the outputs depend
// on (the loss and the penalty are training-only), each written by its op's `onnx` rule;
// parameters and state as initializers; a dynamic batch dimension "N". A pure function.

import type { Graph, Node, Value } from "../ir/types.ts";
import { opDef } from "../ops/registry.ts";
import { ExportError, type OnnxAttr, type OnnxEmitter, type OnnxRule } from "./rule.ts";

/** The opset every rule is written for (ONNX 1.12+; IR version 8). */
export const OPSET = 17;
export const BATCH_DIM = "N";

export interface OnnxTensor {
  readonly name: string;
  readonly type: "float" | "int64";
  readonly dims: readonly number[];
  readonly values: Float32Array | readonly number[];
}

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, OnnxAttr>>;
}

/** A graph input or output: float32, with the batch as the symbolic dimension "N". */
export interface OnnxPort {
  readonly name: string;
  readonly dims: readonly (number | typeof BATCH_DIM)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxPort[];
  readonly outputs: readonly OnnxPort[];
}

export interface OnnxRequest {
  /** The lowered forward graph (`planSpec(...).forward`). */
  readonly graph: Graph;
  readonly name: string;
  /** The trained values of a parameter or state buffer, by its path (`layers[0].weights`). */
  /** A parameter's or state buffer's values, by its name in PARAMS / STATE. */
  readonly tensor: (name: string) => Float32Array;
  /** Scores → probabilities (the loss's rule), for `--probabilities`; null exports the scores. */
  readonly probabilities: OnnxRule | null;
  /** The data's standardization, applied to the one input first, so the model takes raw rows as `predict` does. */
  readonly standardize: { readonly mean: readonly number[]; readonly std: readonly number[] } | null;
}

const dimsOf = (v: Value): OnnxPort["dims"] => (v.batched ? [BATCH_DIM, ...v.shape.slice(1)] : [...v.shape]);

/** The inputs a node reads in inference. */
const inferReads = (n: Node): readonly number[] => opDef(n.op).inferInputs?.map((k) => n.inputs[k]!) ?? n.inputs;

/** The forward nodes the outputs depend on, in execution order. */
export function neededNodes(g: Graph): Node[] {
  const producer = new Map(g.nodes.filter((n) => n.phase === "forward").map((n) => [n.output, n]));
  const needed = new Set<Node>();
  const stack = g.outputs.map((p) => p.value);
  while (stack.length) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    stack.push(...inferReads(n));
  }
  return g.nodes.filter((n) => needed.has(n));
}

/** Every op without an ONNX rule, each named once with the spec nodes that use it. */
function refuseMissingRules(nodes: readonly Node[]): void {
  const missing = new Map<string, string[]>();
  for (const n of nodes) {
    if (opDef(n.op).onnx) continue;
    const paths = missing.get(n.op) ?? [];
    if (!paths.includes(n.path)) paths.push(n.path);
    missing.set(n.op, paths);
  }
  if (missing.size === 0) return;
  const list = [...missing].map(([op, paths]) => `'${op}' (in ${paths.join(", ")})`).join(", ");
  throw new ExportError(`cannot export to ONNX: no ONNX export rule for op ${list}`);
}

export function toOnnxGraph(req: OnnxRequest): OnnxGraph {
  const g = req.graph;
  const nodes = neededNodes(g);
  refuseMissingRules(nodes);

  const used = new Set<string>([...g.values.map((v) => v.name), ...g.inputs.map((p) => p.name), ...g.outputs.map((p) => p.name)]);
  const fresh = (hint: string): string => {
    let name = hint;
    for (let k = 2; used.has(name); k++) name = `${hint}_${k}`;
    used.add(name);
    return name;
  };
  const onnxNodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const names = new Map<number, string>();
  const written = new Set<string>();
  const addNode = (opType: string, inputs: readonly string[], attrs: Readonly<Record<string, OnnxAttr>> = {}, output?: string): string => {
    const out = output ?? fresh(`${opType.toLowerCase()}_out`);
    onnxNodes.push({ name: `${out}_${opType}`, opType, inputs: [...inputs], outputs: [out], attrs });
    written.add(out);
    return out;
  };
  const constant = (hint: string, type: OnnxTensor["type"], dims: readonly number[], values: readonly number[]): string => {
    const name = fresh(hint);
    initializers.push({ name, type, dims: [...dims], values: type === "float" ? Float32Array.from(values) : [...values] });
    return name;
  };

  // Each output keeps its port's name (`y`); a value that happens to share it is renamed.
  const portOf = new Map(g.outputs.map((p) => [p.value, p.name]));
  const ports = new Set(portOf.values());
  const tensorName = (id: number): string => {
    const v = g.values[id]!;
    return portOf.get(id) ?? (ports.has(v.name) ? fresh(v.name) : v.name);
  };

  // Inputs, standardized first when the data was.
  const inputs: OnnxPort[] = g.inputs.map((p) => ({ name: p.name, dims: dimsOf(g.values[p.value]!) }));
  for (const p of g.inputs) names.set(p.value, p.name);
  if (req.standardize) {
    if (g.inputs.length !== 1) throw new ExportError(`the data's standardization has one input to apply to; the spec has ${g.inputs.length}`);
    const [x] = g.inputs as [{ name: string; value: number }];
    const width = req.standardize.mean.length;
    const mean = constant(`${x.name}_mean`, "float", [width], req.standardize.mean);
    const std = constant(`${x.name}_std`, "float", [width], req.standardize.std);
    const centered = addNode("Sub", [x.name, mean], {}, fresh(`${x.name}_centered`));
    names.set(x.value, addNode("Div", [centered, std], {}, fresh(`${x.name}_standardized`)));
  }

  // Parameters and state the graph reads, with their trained values.
  const leaves = new Set<number>([...g.params.map((p) => p.value), ...g.state.map((s) => s.value)]);
  for (const id of new Set(nodes.flatMap(inferReads))) {
    if (!leaves.has(id)) continue;
    const v = g.values[id]!;
    const name = tensorName(id);
    initializers.push({ name, type: "float", dims: [...v.shape], values: req.tensor(v.name) });
    names.set(id, name);
  }

  for (const n of nodes) {
    const outValue = g.values[n.output]!;
    const out = tensorName(n.output);
    const reads = new Set(inferReads(n));
    const ins = n.inputs.map((id) => {
      if (!reads.has(id)) return ""; // not read in inference: the rule does not use it
      const name = names.get(id);
      if (name === undefined) throw new Error(`internal: ${g.values[id]!.name} is read before it is written`);
      return name;
    });
    const e: OnnxEmitter = { ins, inValues: n.inputs.map((id) => g.values[id]!), out, outValue, attrs: n.attrs, node: addNode, constant };
    try {
      opDef(n.op).onnx!(e);
    } catch (err) {
      if (err instanceof ExportError) throw new ExportError(`cannot export to ONNX: op '${n.op}' (in ${n.path}): ${err.message}`);
      throw err;
    }
    if (!written.has(out)) throw new Error(`internal: the ONNX rule of ${n.op} did not write ${out}`);
    names.set(n.output, out);
  }

  const outputs: OnnxPort[] = g.outputs.map((p) => {
    const v = g.values[p.value]!;
    let name = names.get(p.value)!;
    if (req.probabilities) {
      const out = fresh("probabilities");
      req.probabilities({ ins: [name], inValues: [v], out, outValue: v, attrs: {}, node: addNode, constant });
      name = out;
    } else if (name !== p.name) name = addNode("Identity", [name], {}, p.name); // an output that is an input or a parameter
    return { name, dims: dimsOf(v) };
  });
  return { name: req.name, nodes: onnxNodes, initializers, inputs, outputs };
}
