// Softmax fused with cross-entropy: stable (subtract the row max) and a one-line gradient.
import { z } from "zod";
import type { OpDef } from "../op.ts";
import { describeLoss, lossGrad, lossGradShape, lossShape, type LossDef } from "../loss.ts";
import { forRange } from "../loops.ts";
import { int, sameOp } from "../../export/rule.ts";

export const softmax_cross_entropy: LossDef = {
  name: "softmax_cross_entropy",
  attrs: z.strictObject({}),
  target: "class",
  minOutputs: 2,
  accuracy: "argmax",
  rows: () => "mean",
  unitGradient: "required",
  probabilities: sameOp("Softmax", () => ({ axis: int(-1) })),
  shape: lossShape("class"),
  eval: ([s, t], _a, _o) => {
    const [n, c] = s!.shape as [number, number];
    let total = 0;
    for (let r = 0; r < n; r++) {
      const row = s!.data.subarray(r * c, r * c + c);
      const m = Math.max(...row);
      const sum = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
      total += Math.log(sum) + m - row[t!.data[r]!]!;
    }
    return Float64Array.of(total / n);
  },
  emit: ({ w, ins: [s, t], out, ref, rows }) => {
    const c = s!.shape[1]!;
    w.writeLine("let total = 0;");
    forRange(w, "r", rows, () => {
      w.writeLine(`const o = r * ${c};`);
      w.writeLine(`let m = ${ref(s!)}[o];`);
      forRange(w, "j", c, () => w.writeLine(`if (${ref(s!)}[o + j] > m) m = ${ref(s!)}[o + j];`));
      w.writeLine("let sum = 0;");
      forRange(w, "j", c, () => w.writeLine(`sum += Math.exp(${ref(s!)}[o + j] - m);`));
      w.writeLine(`total += Math.log(sum) + m - ${ref(s!)}[o + ${ref(t!)}[r]];`);
    });
    w.writeLine(`${ref(out)}[0] = total / ${rows};`);
  },
  grad: lossGrad("softmax_cross_entropy_grad"),
  describe: describeLoss("mean over rows of −log softmax(s)[t]"),
  flops: ([s]) => 4 * s!.shape[0]! * s!.shape[1]!,
};

/** ∂L/∂s = (softmax(s) − onehot(t)) / N */
export const softmax_cross_entropy_grad: OpDef = {
  name: "softmax_cross_entropy_grad",
  shape: lossGradShape,
  eval: ([s, t]) => {
    const [n, c] = s!.shape as [number, number];
    const ds = new Float64Array(n * c);
    for (let r = 0; r < n; r++) {
      const row = s!.data.subarray(r * c, r * c + c);
      const m = Math.max(...row);
      const sum = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
      for (let j = 0; j < c; j++) ds[r * c + j] = (Math.exp(row[j]! - m) / sum - (j === t!.data[r] ? 1 : 0)) / n;
    }
    return ds;
  },
  emit: ({ w, ins: [s, t], out, ref, rows }) => {
    const c = s!.shape[1]!;
    w.writeLine(`const invN = 1 / ${rows};`);
    forRange(w, "r", rows, () => {
      w.writeLine(`const o = r * ${c};`);
      w.writeLine(`let m = ${ref(s!)}[o];`);
      forRange(w, "j", c, () => w.writeLine(`if (${ref(s!)}[o + j] > m) m = ${ref(s!)}[o + j];`));
      w.writeLine("let sum = 0;");
      forRange(w, "j", c, () => {
        w.writeLine(`const e = Math.exp(${ref(s!)}[o + j] - m);`);
        w.writeLine(`${ref(out)}[o + j] = e;`);
        w.writeLine("sum += e;");
      });
      w.writeLine("const scale = invN / sum;");
      forRange(w, "j", c, () => w.writeLine(`${ref(out)}[o + j] *= scale;`));
      w.writeLine(`${ref(out)}[o + ${ref(t!)}[r]] -= invN;`);
    });
  },
  describe: (_n, [s, t], out) => `${out.name} = (softmax(${s!.name}) − onehot(${t!.name})) / N`,
  flops: ([s]) => 5 * s!.shape[0]! * s!.shape[1]!,
};
