// Scalar broadcasting, shared by the element-wise math ops: two operands must have equal
// shapes, or one of them is a scalar ([]), which then stands for every element.

import type { DType, Shape, Value } from "../../ir/types.ts";
import type { GradBuilder, OpDef } from "../op.ts";
import { ExportError, type OnnxRule } from "../../export/rule.ts";

export const isScalar = (v: Value | { shape: Shape }): boolean => v.shape.length === 0;

/** The shape rule of a binary element-wise op (`verb` names it in the message). */
export function broadcastShape(verb: string): OpDef["shape"] {
  return ([a, b]) => {
    const same = a!.shape.join() === b!.shape.join();
    if (!same && !isScalar(a!) && !isScalar(b!)) {
      return `cannot ${verb} [${a!.shape.join("×")}] and [${b!.shape.join("×")}]: shapes must match, or one must be a scalar`;
    }
    const big = isScalar(a!) ? b! : a!;
    // Equal shapes may pair a batch with a tensor that happens to have its shape: the
    // element-wise result is per row when either operand is.
    return { shape: big.shape, dtype: "f32" as DType, batched: a!.batched || b!.batched };
  };
}

/** Element `i` of an operand: a scalar is read at 0. */
export const at = (ref: string, v: Value, i: string): string => `${ref}[${isScalar(v) ? "0" : i}]`;

/**
 * A gradient computed at the output's shape, brought back to an input's shape: an input that
 * was broadcast (a scalar) receives the sum over every element it stood for.
 */
export function unbroadcast(g: GradBuilder, d: number, input: number): number {
  const v = g.value(input);
  if (!isScalar(v) || isScalar(g.value(d))) return d;
  return g.add("sum_all", [d], {}, `d${v.name}`);
}

/**
 * A binary element-wise op as one ONNX operator (ONNX broadcasts a scalar as netspec does).
 * A batch paired with a fixed tensor of the same shape has no form with a dynamic batch.
 */
export const onnxBinary =
  (opType: string): OnnxRule =>
  (e) => {
    const [a, b] = e.inValues as [Value, Value];
    if (a.batched !== b.batched && !isScalar(a) && !isScalar(b)) {
      const fixed = a.batched ? b : a;
      throw new ExportError(`${e.outValue.name} pairs a batch with the fixed [${fixed.shape.join("×")}] tensor ${fixed.name}; the ONNX model's batch size is not fixed`);
    }
    e.node(opType, e.ins, undefined, e.out);
  };
