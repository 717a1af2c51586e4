// Losses that sum a per-element term over (scores, vector targets) and scale the sum:
// mse, squared_error and sigmoid cross-entropy differ only in the term and the scale.

import type { z } from "zod";
import { shapeSize } from "../ir/types.ts";
import type { Attrs, OpDef } from "./op.ts";
import { describeLoss, lossGrad, lossGradShape, lossShape, type LossDef } from "./loss.ts";
import { forEach } from "./loops.ts";

export interface PointwiseLossDef {
  readonly name: string;
  readonly attrs: z.ZodObject;
  readonly minOutputs: number;
  readonly accuracy: LossDef["accuracy"];
  readonly math: string;
  /** What the summed terms are divided by: every element (N·C), every row (N), or nothing. */
  readonly mean: (a: Attrs) => "elements" | "rows" | "none";
  readonly term: (s: number, t: number) => number;
  readonly termCode: (s: string, t: string) => string;
  /** ∂term/∂s */
  readonly dterm: (s: number, t: number) => number;
  readonly dtermCode: (s: string, t: string) => string;
  readonly probabilities?: LossDef["probabilities"];
}

/** The scale on the summed terms, as code (`rows` may be a variable) or as a number. */
function scaleCode(def: PointwiseLossDef, rows: string, cols: number, a: Attrs): string {
  const mean = def.mean(a);
  return mean === "elements" ? `1 / (${rows} * ${cols})` : mean === "rows" ? `1 / ${rows}` : "1";
}
function scale(def: PointwiseLossDef, rows: number, cols: number, a: Attrs): number {
  const mean = def.mean(a);
  return mean === "elements" ? 1 / (rows * cols) : mean === "rows" ? 1 / rows : 1;
}

export function definePointwiseLoss(def: PointwiseLossDef): { loss: LossDef; grad: OpDef } {
  const gradName = `${def.name}_grad`;
  const loss: LossDef = {
    name: def.name,
    attrs: def.attrs,
    target: "vector",
    minOutputs: def.minOutputs,
    accuracy: def.accuracy,
    rows: (a) => (def.mean(a) === "none" ? "sum" : "mean"),
    unitGradient: "required",
    shape: lossShape("vector"),
    eval: ([s, t], a) => {
      const [n, c] = s!.shape as [number, number];
      const sum = s!.data.reduce((acc, v, i) => acc + def.term(v, t!.data[i]!), 0);
      return Float64Array.of(sum * scale(def, n, c, a));
    },
    emit: ({ w, ins: [s, t], out, ref, rows, node }) => {
      w.writeLine("let total = 0;");
      forEach(w, rows, s!.shape, (i) => w.writeLine(`total += ${def.termCode(`${ref(s!)}[${i}]`, `${ref(t!)}[${i}]`)};`));
      w.writeLine(`${ref(out)}[0] = total * (${scaleCode(def, rows, s!.shape[1]!, node.attrs)});`);
    },
    grad: lossGrad(gradName),
    describe: describeLoss(def.math),
    flops: ([s]) => 3 * shapeSize(s!.shape),
    probabilities: def.probabilities,
  };
  const grad: OpDef = {
    name: gradName,
    shape: lossGradShape,
    eval: ([s, t], a) => {
      const [n, c] = s!.shape as [number, number];
      const k = scale(def, n, c, a);
      return s!.data.map((v, i) => k * def.dterm(v, t!.data[i]!));
    },
    emit: ({ w, ins: [s, t], out, ref, rows, node }) => {
      w.writeLine(`const k = ${scaleCode(def, rows, s!.shape[1]!, node.attrs)};`);
      forEach(w, rows, s!.shape, (i) =>
        w.writeLine(`${ref(out)}[${i}] = k * (${def.dtermCode(`${ref(s!)}[${i}]`, `${ref(t!)}[${i}]`)});`),
      );
    },
    describe: (_n, [s, t], out) => `${out.name} = ∂${def.name}/∂${s!.name} given ${t!.name}`,
    flops: ([s]) => 3 * shapeSize(s!.shape),
  };
  return { loss, grad };
}
