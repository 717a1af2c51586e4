import { z } from "zod";
import { definePointwiseLoss } from "../pointwise_loss.ts";
import { sameOp } from "../../export/rule.ts";

/**
 * Binary cross-entropy on logits, per output, averaged over the batch and the outputs.
 * Stable form: max(s, 0) − s·t + ln(1 + e^−|s|); gradient σ(s) − t.
 */
export const sigmoid_cross_entropy = definePointwiseLoss({
  name: "sigmoid_cross_entropy",
  attrs: z.strictObject({}),
  minOutputs: 1,
  accuracy: "threshold",
  math: "mean of max(s, 0) − s·t + ln(1 + e^−|s|)",
  mean: () => "elements",
  term: (s, t) => Math.max(s, 0) - s * t + Math.log1p(Math.exp(-Math.abs(s))),
  termCode: (s, t) => `(${s} > 0 ? ${s} : 0) - ${s} * ${t} + Math.log1p(Math.exp(-Math.abs(${s})))`,
  dterm: (s, t) => 1 / (1 + Math.exp(-s)) - t,
  dtermCode: (s, t) => `1 / (1 + Math.exp(-${s})) - ${t}`,
  // Each output is an independent P(label = 1).
  probabilities: sameOp("Sigmoid"),
});
