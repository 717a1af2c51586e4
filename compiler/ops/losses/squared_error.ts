import { z } from "zod";
import { definePointwiseLoss } from "../pointwise_loss.ts";

/** Per sample Σ_k (s_k − t_k)², summed or averaged over the batch. */
export const squared_error = definePointwiseLoss({
  name: "squared_error",
  attrs: z.strictObject({ reduction: z.enum(["sum", "mean"]).default("mean") }),
  minOutputs: 1,
  accuracy: null,
  math: "Σ over rows (or mean, by `reduction`) of Σ_k (s_k − t_k)²",
  mean: (a) => (a.reduction === "sum" ? "none" : "rows"),
  term: (s, t) => (s - t) ** 2,
  termCode: (s, t) => `(${s} - ${t}) * (${s} - ${t})`,
  dterm: (s, t) => 2 * (s - t),
  dtermCode: (s, t) => `2 * (${s} - ${t})`,
});
