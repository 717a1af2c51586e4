import { z } from "zod";
import { definePointwiseLoss } from "../pointwise_loss.ts";

/** Mean over the batch and the outputs of (s − t)². */
export const mse = definePointwiseLoss({
  name: "mse",
  attrs: z.strictObject({}),
  minOutputs: 1,
  accuracy: null,
  math: "mean over rows and outputs of (s − t)²",
  mean: () => "elements",
  term: (s, t) => (s - t) ** 2,
  termCode: (s, t) => `(${s} - ${t}) * (${s} - ${t})`,
  dterm: (s, t) => 2 * (s - t),
  dtermCode: (s, t) => `2 * (${s} - ${t})`,
});
