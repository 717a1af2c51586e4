// Multiclass SVM loss: mean over rows of Σ_{j≠y} max(0, s_j − s_y + Δ).
import { z } from "zod";
import { num, type OpDef } from "../op.ts";
import { describeLoss, lossGrad, lossGradShape, lossShape, type LossDef } from "../loss.ts";
import { forRange } from "../loops.ts";

export const hinge: LossDef = {
  name: "hinge",
  attrs: z.strictObject({ margin: z.number().positive().default(1) }),
  target: "class",
  minOutputs: 2,
  accuracy: "argmax",
  rows: () => "mean",
  unitGradient: "required",
  shape: lossShape("class"),
  eval: ([s, t], a) => {
    const [n, c] = s!.shape as [number, number];
    let total = 0;
    for (let r = 0; r < n; r++) {
      const y = t!.data[r]!;
      const sy = s!.data[r * c + y]!;
      for (let j = 0; j < c; j++) if (j !== y) total += Math.max(0, s!.data[r * c + j]! - sy + num(a, "margin"));
    }
    return Float64Array.of(total / n);
  },
  emit: ({ w, ins: [s, t], out, ref, rows, node }) => {
    const c = s!.shape[1]!;
    w.writeLine("let total = 0;");
    forRange(w, "r", rows, () => {
      w.writeLine(`const o = r * ${c};`);
      w.writeLine(`const y = ${ref(t!)}[r];`);
      w.writeLine(`const sy = ${ref(s!)}[o + y];`);
      forRange(w, "j", c, () => {
        w.writeLine(`const margin = ${ref(s!)}[o + j] - sy + ${num(node.attrs, "margin")};`);
        w.writeLine("if (j !== y && margin > 0) total += margin;");
      });
    });
    w.writeLine(`${ref(out)}[0] = total / ${rows};`);
  },
  grad: lossGrad("hinge_grad"),
  describe: describeLoss("mean over rows of Σ_{j≠t} max(0, s_j − s_t + Δ)"),
  flops: ([s]) => 3 * s!.shape[0]! * s!.shape[1]!,
};

/** Each violated margin adds 1/N to its class's score gradient and −1/N to the true class's. */
export const hinge_grad: OpDef = {
  name: "hinge_grad",
  shape: lossGradShape,
  eval: ([s, t], a) => {
    const [n, c] = s!.shape as [number, number];
    const ds = new Float64Array(n * c);
    for (let r = 0; r < n; r++) {
      const y = t!.data[r]!;
      for (let j = 0; j < c; j++) {
        if (j !== y && s!.data[r * c + j]! - s!.data[r * c + y]! + num(a, "margin") > 0) {
          ds[r * c + j]! += 1 / n;
          ds[r * c + y]! -= 1 / n;
        }
      }
    }
    return ds;
  },
  emit: ({ w, ins: [s, t], out, ref, rows, node }) => {
    const c = s!.shape[1]!;
    w.writeLine(`const invN = 1 / ${rows};`);
    forRange(w, "r", rows, () => {
      w.writeLine(`const o = r * ${c};`);
      w.writeLine(`const y = ${ref(t!)}[r];`);
      w.writeLine(`const sy = ${ref(s!)}[o + y];`);
      w.writeLine("let violated = 0;");
      forRange(w, "j", c, () => {
        w.writeLine(`const hit = j !== y && ${ref(s!)}[o + j] - sy + ${num(node.attrs, "margin")} > 0;`);
        w.writeLine(`${ref(out)}[o + j] = hit ? invN : 0;`);
        w.writeLine("if (hit) violated++;");
      });
      w.writeLine(`${ref(out)}[o + y] = -violated * invN;`);
    });
  },
  describe: (_n, [s, t], out) => `${out.name} = ∂hinge/∂${s!.name}: +1/N per violated j, −count/N at ${t!.name}`,
  flops: ([s]) => 3 * s!.shape[0]! * s!.shape[1]!,
};
