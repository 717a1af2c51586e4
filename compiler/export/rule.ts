// How an op writes itself as ONNX nodes: the optional `onnx` member of its OpDef. The
// exporter (onnx-graph.ts) never learns what an op is; it calls the op's rule with the
// ONNX names of the node's inputs and the name its result must have.

import type { Value } from "../ir/types.ts";
import type { Attrs } from "../ops/op.ts";

/** An ONNX attribute value, typed as the ONNX operator schema wants it. */
export type OnnxAttr = { readonly float: number } | { readonly int: number } | { readonly ints: readonly number[] };

export const float = (x: number): OnnxAttr => ({ float: x });
export const int = (x: number): OnnxAttr => ({ int: x });
export const ints = (xs: readonly number[]): OnnxAttr => ({ ints: xs });

export interface OnnxEmitter {
  /** The ONNX tensor names of the node's inputs, and the IR values they hold. */
  readonly ins: readonly string[];
  readonly inValues: readonly Value[];
  /** The name the rule's last node must write, and the IR value it stands for. */
  readonly out: string;
  readonly outValue: Value;
  readonly attrs: Attrs;
  /** Adds a node writing `output` (default: a fresh name); returns the name written. */
  node(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>, output?: string): string;
  /** A constant tensor (an initializer); returns its name. */
  constant(hint: string, type: "float" | "int64", dims: readonly number[], values: readonly number[]): string;
}

/** Writes one IR node as ONNX nodes. Throws ExportError when this use of the op has no ONNX form. */
export type OnnxRule = (e: OnnxEmitter) => void;

/** A graph netspec cannot write as ONNX; the message names the op (or the flag) and says why. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

/** The rule of an element-wise op that is one ONNX operator with the same inputs. */
export const sameOp =
  (opType: string, attrs?: (a: Attrs) => Readonly<Record<string, OnnxAttr>>): OnnxRule =>
  (e) =>
    e.node(opType, e.ins, attrs?.(e.attrs), e.out);

/** The axes that hold each sample's elements: all but the batch axis (every axis when unbatched). */
export const sampleAxes = (v: Value): number[] => Array.from({ length: v.shape.length }, (_, k) => k).slice(v.batched ? 1 : 0);
