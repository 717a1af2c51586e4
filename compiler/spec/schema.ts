// The zod schema of spec language v1: what a user may write. Per-object rules (a layer is
// dense or maxout, data is builtin or csv, ...) are refinements here; rules that relate
// distant parts of the spec (loss vs. last layer vs. data set) are in rules.ts.

import { z } from "zod";
import { activations, losses } from "../ops/registry.ts";
import { bool, interval, intIn, kindOf, nameOf, nonNeg, posInt, positive, says, text } from "./fields.ts";

export const MAX_WIDTH = 1_000_000;
export const MAX_BATCH = 1_000_000;
export const MAX_LAYERS = 1000;
export const MAX_PIECES = 64;
export const MAX_EPOCHS = 10_000_000;
export const MAX_MNIST = 10_000;
const MAX_SEED = 2 ** 32 - 1;

const JS_RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined").split(" "),
);

const attrsOf = (defs: Readonly<Record<string, { readonly attrs?: z.ZodType }>>) =>
  Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, (d.attrs ?? z.strictObject({})) as z.ZodObject]));

const activation = kindOf("activation", attrsOf(activations), "{ leaky_relu: { alpha: 0.1 } }");
const loss = kindOf("loss", attrsOf(losses), "{ hinge: { margin: 2 } }");

const none = z.strictObject({});
const uniform = z
  .strictObject({ min: z.number({ error: says("must be a number") }), max: z.number({ error: says("must be a number") }) })
  .superRefine((v, ctx) => {
    if (v.min >= v.max) ctx.addIssue({ code: "custom", path: ["max"], input: v.max, message: `must be greater than min (got max ${v.max}, min ${v.min})` });
  });
const init = kindOf(
  "init",
  {
    zeros: none,
    normal: z.strictObject({ mean: z.number({ error: says("must be a number") }).default(0), std: positive().default(1) }),
    uniform,
    glorot_uniform: none,
    glorot_normal: none,
    he_normal: none,
    he_uniform: none,
  },
  "{ normal: { std: 0.01 } }",
);

// One message whichever branch of `number | false` zod blames.
const multiplierError = says("must be a multiplier ≥ 0, or false to opt out");
const multiplier = () => z.number({ error: multiplierError }).min(0, { error: multiplierError });

const layer = z
  .strictObject({
    dense: posInt(MAX_WIDTH).optional(),
    maxout: posInt(MAX_WIDTH).optional(),
    pieces: intIn(2, MAX_PIECES).optional(),
    activation: activation.optional(),
    bias: bool().default(true),
    init: z.strictObject({ weights: init.optional(), biases: init.optional() }).optional(),
    regularize: z.union([multiplier(), z.literal(false, { error: multiplierError })], { error: multiplierError }).default(1),
  })
  .superRefine((l, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, input: l, message });
    if (l.dense === undefined && l.maxout === undefined) issue([], "must have 'dense: <units>' or 'maxout: <units>'");
    if (l.dense !== undefined && l.maxout !== undefined) issue(["maxout"], "cannot be combined with dense: a layer is one or the other");
    if (l.maxout === undefined && l.pieces !== undefined) issue(["pieces"], "only applies to maxout layers");
    if (l.maxout !== undefined && l.dense === undefined && l.activation !== undefined) {
      issue(["activation"], "is not allowed on a maxout layer (the max over its pieces is the nonlinearity)");
    }
  });

const schedule = kindOf(
  "schedule",
  {
    constant: none,
    step: z.strictObject({ every: posInt(MAX_EPOCHS), factor: interval(0, 1, "(0, 1]") }),
    cosine: z.strictObject({ epochs: posInt(MAX_EPOCHS).optional(), min_lr: nonNeg().default(0) }),
  },
  "{ step: { every: 100, factor: 0.5 } }",
);

const sgd = z
  .strictObject({
    lr: positive(),
    momentum: interval(0, 1, "[0, 1)").default(0),
    nesterov: bool().default(false),
    schedule: schedule.default("constant"),
  })
  .superRefine((o, ctx) => {
    if (o.nesterov && o.momentum === 0) ctx.addIssue({ code: "custom", path: ["nesterov"], input: true, message: "needs momentum > 0" });
  });

const data = z
  .strictObject({
    builtin: nameOf("builtin data set", ["iris", "mnist"]).optional(),
    csv: text().optional(),
    label: text().optional(),
    targets: z.array(text(), { error: says("must be a list of column names") }).min(1, { error: says("must name at least one column") }).optional(),
    test_split: interval(0, 1, "[0, 1)").default(0.2),
    stratified: bool().default(false),
    standardize: bool().default(false),
    limit: posInt(MAX_MNIST).nullable().default(null),
  })
  .superRefine((d, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, input: d, message });
    if (d.builtin === undefined && d.csv === undefined) issue([], "must have 'builtin: iris|mnist' or 'csv: <file>'");
    if (d.builtin !== undefined && d.csv !== undefined) issue(["csv"], "cannot be combined with builtin");
    if (d.csv === undefined) {
      if (d.label !== undefined) issue(["label"], "only applies to csv data");
      if (d.targets !== undefined) issue(["targets"], "only applies to csv data");
    } else if (d.builtin === undefined && d.label === undefined && d.targets === undefined) {
      issue([], "must have 'label: <column>' (classification) or 'targets: [<columns>]' (regression) for csv data");
    } else if (d.label !== undefined && d.targets !== undefined) {
      issue(["targets"], "cannot be combined with label: use label for classification or targets for regression");
    }
    if (d.limit !== null && d.builtin !== "mnist") issue(["limit"], "only applies to the builtin mnist data set");
    if (d.stratified && d.targets !== undefined) issue(["stratified"], "needs class labels, but this data has regression targets");
    const dup = d.targets?.find((t, i) => d.targets!.indexOf(t) !== i);
    if (dup !== undefined) issue(["targets"], `lists column '${dup}' twice`);
  });

export const specSchema = z
  .strictObject({
    netspec: z.literal(1, { error: says("must be 1 (the only format version)") }),
    name: z
      .string({ error: says("must be a string") })
      .max(64, { error: says("must be at most 64 characters") })
      .regex(/^[a-z][a-z0-9_]*$/, { error: says("must be a lowercase identifier matching [a-z][a-z0-9_]*") })
      .refine((n) => !JS_RESERVED.has(n), { error: says("must not be a JavaScript reserved word") }),
    input: posInt(MAX_WIDTH),
    layers: z
      .array(layer, { error: says("must be a list of layers") })
      .min(1, { error: says("must list at least one layer") })
      .max(MAX_LAYERS, { error: (iss) => `must have at most ${MAX_LAYERS} layers (got ${(iss.input as unknown[]).length})` }),
    loss,
    regularizer: z.strictObject({ l1: nonNeg().default(0), l2: nonNeg().default(0), biases: bool().default(false) }).optional(),
    init: z.strictObject({ weights: init.optional(), biases: init.optional(), seed: intIn(0, MAX_SEED).default(0) }).optional(),
    optimizer: kindOf("optimizer", { sgd }, "{ sgd: { lr: 0.1 } }"),
    train: z.strictObject({
      batch: posInt(MAX_BATCH),
      epochs: posInt(MAX_EPOCHS),
      shuffle: bool().default(true),
      stop_below: nonNeg().nullable().default(null),
      early_stopping: z.strictObject({ patience: posInt(MAX_EPOCHS), restore_best: bool().default(true) }).optional(),
    }),
    data,
  })
  .meta({
    title: "netspec spec",
    description: "A neural network for netspec to compile into TypeScript (spec language v1).",
  });

export type RawSpec = z.output<typeof specSchema>;

/** The JSON Schema of what a user may write, for editors (yaml-language-server). */
export function specJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(specSchema, { io: "input" }) as Record<string, unknown>;
}
