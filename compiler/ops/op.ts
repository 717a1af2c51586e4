// What every op owns (docs/ARCHITECTURE.md, "Ops: one place per op"): its attribute schema, shape rule,
// float64 reference evaluation, forward emitter and gradient rule. Phases never switch on
// op names; they look the op up in the registry and call these.

import type { CodeBlockWriter } from "ts-morph";
import type { z } from "zod";
import type { DType, EmitMode, Node, Shape, Value } from "../ir/types.ts";
import type { OnnxRule } from "../export/rule.ts";

export type Attrs = Readonly<Record<string, unknown>>;

/** A numeric attribute (validated by the op's schema before lowering). */
export const num = (a: Attrs, k: string): number => a[k] as number;

/** A float64 tensor for the reference interpreter (row-major). */
export interface Tensor64 {
  readonly shape: Shape;
  readonly data: Float64Array;
}

/** What an emitter gets: the writer, the node and the identifiers of its buffers. */
export interface EmitArgs {
  readonly w: CodeBlockWriter;
  readonly node: Node;
  readonly ins: readonly Value[];
  readonly out: Value;
  /** The identifier of a value's Float32Array/Int32Array view in the generated code. */
  readonly ref: (v: Value) => string;
  /**
   * The row count of batch-shaped tensors: a literal (`"75"`) in training code, a variable
   * (`"rows"`) in the inference entry. Every other bound is a literal.
   */
  readonly rows: string;
  /**
   * A kernel's scratch buffer, allocated once in createModel (never inside a step); kernels
   * asking for the same name share it, sized for the largest request. Returns its identifier.
   */
  readonly scratch: (name: string, type: "Int32Array" | "Float32Array" | "Float64Array", size: number) => string;
  /** Training code or inference code; only `modal` ops read it. */
  readonly mode: EmitMode;
}

/** A function the generated module defines once at its top level, for the kernels to call. */
export interface Helper {
  readonly name: string;
  readonly doc: string;
  readonly parameters: readonly string[];
  /** The body's statements, in terms of the parameters (each a number). */
  readonly statements: readonly string[];
}

/** What a wasm kernel rule gets: the node, and the byte address of every value in linear memory. */
export interface WasmKernelArgs {
  readonly node: Node;
  readonly ins: readonly Value[];
  readonly out: Value;
  /** Byte address of a value's first element in the one WebAssembly.Memory. */
  readonly addr: (v: Value) => number;
  /**
   * Byte address of `floats` float32s of scratch (16-byte aligned), valid during this
   * kernel's call only: every kernel's scratch starts at the same address.
   */
  readonly scratch: (floats: number) => number;
}

/** A kernel as WebAssembly text: its locals and its body (the function header is the backend's). */
export interface WasmKernel {
  readonly locals: readonly string[];
  readonly body: string;
  /** How it computes the node, when that differs from the JS kernel's description. */
  readonly note?: string;
}

/** How a gradient rule adds backward nodes (the rule never emits text). */
export interface GradBuilder {
  value(id: number): Value;
  /** Add a backward node; returns the id of its output value. */
  add(op: string, inputs: readonly number[], attrs: Attrs, name: string): number;
}

export interface OpDef {
  readonly name: string;
  /** Spec-facing ops (activations, losses) declare their attributes with defaults. */
  readonly attrs?: z.ZodType;
  /**
   * Output shape and dtype, or an error message when the inputs do not fit. The output is
   * batch-shaped when the first input is, unless the rule says otherwise (reductions).
   */
  shape(ins: readonly Value[], attrs: Attrs): { shape: Shape; dtype: DType; batched?: boolean } | string;
  /** Float64 reference evaluation, used by the interpreter (`mode` matters to modal ops only). */
  eval(ins: readonly Tensor64[], attrs: Attrs, out: Shape, mode: EmitMode): Float64Array;
  /** Its code differs between training and inference (dropout, batch norm): infer() gets its own body. */
  readonly modal?: boolean;
  /** Writes straight-line code computing `out` from `ins` into preallocated buffers. */
  emit(a: EmitArgs): void;
  /**
   * Reverse-mode rule: for each input, the id of a value holding ∂loss/∂input, or null
   * when that input takes no gradient. `dy` is the upstream gradient, or null when it is
   * exactly 1 (the loss and regularizer terms, which are summed straight into the loss).
   */
  grad?(g: GradBuilder, node: Node, dy: number | null, needs: readonly boolean[]): (number | null)[];
  /**
   * How the gradient rule treats dy = null (exactly 1, for a term summed into the loss):
   * `required` — it assumes it (losses, penalties: their rule ignores dy); `accepted` — it
   * passes it on (add). Any other op is handed an explicit 1 instead.
   */
  readonly unitGradient?: "required" | "accepted";
  /**
   * Element-wise ops only: the output element as an expression of the input elements
   * (`operands[k]` is input k at the same element, or at the same column for a [C] vector).
   * With it, fuse can fold the op into a matrix product's epilogue.
   */
  scalar?(operands: readonly string[], attrs: Attrs): string;
  /**
   * Module-level functions the op's code calls (tanh's float32 approximation), by name: the
   * module defines each one once, however many kernels call it (V8 inlines them).
   */
  helpers?(attrs: Attrs): readonly Helper[];
  /**
   * Element-wise ops only, for the wasm backend: four output lanes (f32x4) as a WebAssembly
   * text expression of the operands' v128 values. An operand the rule reads twice goes through
   * `local` (which binds it to a fresh local and returns a `local.get`). Without this rule, a
   * matrix product fused with the op stays a JavaScript kernel on that backend.
   */
  wasm?(operands: readonly string[], attrs: Attrs, local: (expr: string) => string): string;
  /**
   * Matrix products only, for the wasm backend: the body of an exported SIMD function computing
   * `out` (every address a literal), or null when part of the node has no wasm rule.
   */
  wasmKernel?(a: WasmKernelArgs): WasmKernel | null;
  /** The math for the comment above the emitted block, e.g. `z1 = x·W1`. */
  describe(node: Node, ins: readonly Value[], out: Value): string;
  /** Floating-point operations of one evaluation (for `netspec explain`). */
  flops(ins: readonly Value[], out: Value, attrs: Attrs): number;
  /**
   * Float32s of scratch its kernels may take, by buffer name, on either backend (im2col's
   * patches): what the size cap adds to the plan's arenas. Absent: none.
   */
  scratch?(ins: readonly Value[], out: Value, attrs: Attrs): Readonly<Record<string, number>>;
  /**
   * The op as ONNX nodes (its inference-mode meaning), for `netspec export`. An op without
   * one is refused by the exporter, by name.
   */
  readonly onnx?: OnnxRule;
  /** The inputs the op reads in inference, when not all of them (dropout ignores its mask there). */
  readonly inferInputs?: readonly number[];
}
