// A mutable builder used inside lower and autodiff; the graphs they return are plain
// read-only data. Every node's output shape comes from its op's shape rule.

import { opDef } from "../ops/registry.ts";
import type { Attrs, GradBuilder } from "../ops/op.ts";
import type { DType, Graph, Node, Shape, Value, ValueKind } from "./types.ts";

export class GraphBuilder implements GradBuilder {
  readonly values: Value[];
  readonly nodes: Node[];
  private readonly names: Set<string>;
  /** The spec path and phase stamped on nodes added from now on. */
  path = "";
  phase: Node["phase"] = "forward";

  constructor(from?: Graph) {
    this.values = from ? [...from.values] : [];
    this.nodes = from ? [...from.nodes] : [];
    this.names = new Set(this.values.map((v) => v.name));
  }

  value(id: number): Value {
    const v = this.values[id];
    if (!v) throw new Error(`internal: no value %${id}`);
    return v;
  }

  /** A value with no defining node: an input, a target, a parameter or a state buffer. */
  leaf(kind: ValueKind, name: string, shape: Shape, dtype: DType, batched: boolean, sparse = false): number {
    return this.push({ kind, name, shape, dtype, batched, ...(sparse ? { sparse } : {}) });
  }

  add(op: string, inputs: readonly number[], attrs: Attrs, name: string): number {
    const ins = inputs.map((i) => this.value(i));
    const rule = opDef(op).shape(ins, attrs);
    if (typeof rule === "string") throw new Error(`internal: ${this.path} ${op}: ${rule}`);
    const batched = rule.batched ?? ins[0]?.batched ?? false;
    const output = this.push({ kind: "temp", name, shape: rule.shape, dtype: rule.dtype, batched });
    this.nodes.push({ op, inputs, output, attrs, path: this.path, phase: this.phase });
    return output;
  }

  /** Gives a value a new (unique) name, so a clearer owner can take the old one. */
  rename(id: number, name: string): void {
    const v = this.value(id);
    this.names.delete(v.name);
    this.values[id] = { ...v, name: this.unique(name) };
  }

  /**
   * Unique, readable names: a second `dW1` becomes `dW1_2`. Names are identifiers in the
   * generated code, so they also avoid the module's own names and the emitters' locals.
   */
  private push(v: Omit<Value, "id">): number {
    const id = this.values.length;
    this.values.push({ ...v, id, name: this.unique(v.name) });
    return id;
  }

  private unique(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name) || reserved(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }
}

/** Names the module and the emitters' loops already use (kernel locals are a0, u3, c01, rowA1, rowC0, colB, …). */
const RESERVED = new Set([
  ...["params", "grads", "input", "target", "output", "temp", "lossParts", "rows", "seed", "state"],
  ...["init", "forward", "loss", "lossTerms", "lossOver", "evaluate", "backward", "infer", "uniform", "normal", "createModel", "Model", "Math", "tanh32"],
  ...["i", "j", "k", "p", "r", "n", "m", "o", "e", "v", "v2", "y", "zo", "xo", "wo", "xv", "av", "sy", "colB"],
  ...["sum", "total", "scale", "invN", "best", "hit", "violated", "margin", "nnz", "q", "nzStep", "nzA0", "nzA1", "rowAcc"],
  ...["wasmKernels", "wasmHeap", "wasmHost", "wasmBytes", "WASM_BINARY", "WasmHost"], // the wasm backend's module (compiler/emit/wasm/)
  // dropout's PRNG and batch norm's column statistics
  ...["st", "start", "mu", "d", "inv", "sdy", "sdyx"],
  // The convolution and pooling kernels' locals and scratch (ops/conv/).
  ...["bi", "oy", "ox", "ky", "kx", "ky0", "ky1", "kx0", "kx1", "oy1", "ox1", "xr", "wr", "yr", "yo", "xw", "po", "pr", "tp", "sa", "dv", "ch", "patches", "dpatches"],
]);
const reserved = (name: string): boolean => RESERVED.has(name) || /^(a|u|c|rowA|rowC)\d+$/.test(name);
