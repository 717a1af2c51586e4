// Losses are scalar ops over (scores [rows, C], targets): what they need beyond OpDef is the
// kind of target they read and how many outputs they make sense with.

import { z } from "zod";
import type { Value } from "../ir/types.ts";
import type { OpDef } from "./op.ts";
import type { OnnxRule } from "../export/rule.ts";

export interface LossDef extends OpDef {
  readonly unitGradient: "required";
  /** `class`: one integer label per row (Int32Array [rows]); `vector`: a float row per sample. */
  readonly target: "class" | "vector";
  readonly minOutputs: number;
  /** Whether accuracy is meaningful (argmax for class targets, a 0.5 threshold for sigmoid). */
  readonly accuracy: "argmax" | "threshold" | null;
  /** How the loss combines rows: their mean (most losses) or their sum (squared_error, reduction: sum). */
  readonly rows: (attrs: Readonly<Record<string, unknown>>) => "mean" | "sum";
  readonly attrs: z.ZodObject;
  /** The scores as the probabilities this loss models, as ONNX nodes (`netspec export --probabilities`). */
  readonly probabilities?: OnnxRule;
}

/** Shape rule shared by all losses: a scalar from scores and matching targets. */
export function lossShape(target: LossDef["target"]): OpDef["shape"] {
  return ([s, t]) => {
    if (s!.shape.length !== 2) return `scores must be [rows, C], got [${s!.shape}]`;
    const want = target === "class" ? [s!.shape[0]] : s!.shape;
    if (t!.shape.join() !== want.join()) return `targets must be [${want}], got [${t!.shape}]`;
    return { shape: [], dtype: "f32", batched: false };
  };
}

/** Shape rule of a loss gradient: same as the scores. */
export const lossGradShape: OpDef["shape"] = ([s]) => ({ shape: s!.shape, dtype: "f32" });

/** The loss gradient rule: one fused op reading scores and targets (dy is 1 for a loss term). */
export function lossGrad(gradOp: string): NonNullable<OpDef["grad"]> {
  return (g, node) => {
    const [s, t] = node.inputs;
    return [g.add(gradOp, [s!, t!], node.attrs, `d${g.value(s!).name}`), null];
  };
}

export const describeLoss =
  (formula: string) =>
  (_n: unknown, [s, t]: readonly Value[], out: Value): string =>
    `${out.name} = ${formula.replace(/\bs\b/g, s!.name).replace(/\bt\b/g, t!.name)}`;
