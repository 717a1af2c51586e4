// The zod schema of spec language v1: what a user may write. Per-object rules (a layer is
// dense or maxout, data is builtin or csv, ...) are refinements here; rules that relate
// distant parts of the spec (loss vs. last layer vs. data set) are in rules.ts.

import { z } from "zod";
import { optimizers, type Hyper, type OptimizerDef } from "../../runtime/optimizers/index.ts";
import { activations, losses } from "../ops/registry.ts";
import { bool, interval, intIn, kindOf, nameOf, nonNeg, posInt, positive, says, text, WHOLE } from "./fields.ts";

export const MAX_WIDTH = 1_000_000;
export const MAX_BATCH = 1_000_000;
export const MAX_LAYERS = 1000;
export const MAX_PIECES = 64;
export const MAX_EPOCHS = 10_000_000;
export const MAX_MNIST = 10_000;
export const MAX_WARMUP = 1_000_000_000;
const MAX_SEED = 2 ** 32 - 1;

export const JS_RESERVED: ReadonlySet<string> = new Set(
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

// Image layers (Keras' Conv2D, MaxPooling2D, AveragePooling2D, Flatten). A size is N (square) or [height, width].
const sizeError = says("must be a positive integer or [height, width]");
const size = () => z.union([posInt(MAX_WIDTH), z.tuple([posInt(MAX_WIDTH), posInt(MAX_WIDTH)], { error: sizeError })], { error: sizeError });
const padding = () => nameOf("padding", ["valid", "same"]).default("valid");
const conv2d = z.strictObject({
  filters: posInt(MAX_WIDTH),
  kernel: size(),
  stride: size().default(1),
  padding: padding(),
  activation: activation.optional(),
  bias: bool().default(true),
  init: z.strictObject({ weights: init.optional(), biases: init.optional() }).optional(),
});
const poolError = says("must be a pool size, or a mapping like { size: 2, stride: 2 }");
const pool = () => z.union([size(), z.strictObject({ size: size().default(2), stride: size().optional(), padding: padding() })], { error: poolError });
/** `- flatten:` (null) or `- flatten: {}`. */
const flatten = z.union([z.null(), z.strictObject({})], { error: says("takes no options: write '- flatten: {}'") });
/** The keys that name a layer's kind: exactly one per layer. */
const KINDS = ["dense", "maxout", "dropout", "batch_norm", "conv2d", "max_pool", "avg_pool", "flatten"] as const;

const layer = z
  .strictObject({
    dense: posInt(MAX_WIDTH).optional(),
    maxout: posInt(MAX_WIDTH).optional(),
    conv2d: conv2d.optional(),
    max_pool: pool().optional(),
    avg_pool: pool().optional(),
    flatten: flatten.optional(),
    pieces: intIn(2, MAX_PIECES).optional(),
    activation: activation.optional(),
    bias: bool().default(true),
    init: z.strictObject({ weights: init.optional(), biases: init.optional() }).optional(),
    regularize: z.union([multiplier(), z.literal(false, { error: multiplierError })], { error: multiplierError }).default(1),
    dropout: interval(0, 1, "[0, 1)").optional(),
    // `batch_norm:` alone (null) or `batch_norm: {}` takes PyTorch's defaults.
    batch_norm: z
      .strictObject({ momentum: interval(0, 1, "[0, 1]").default(0.1), eps: positive().default(1e-5) }, {
        error: (iss) => (iss.code === "invalid_type" ? says("must be empty or a mapping like { momentum: 0.1, eps: 1e-5 }")(iss) : undefined),
      })
      .nullable()
      .optional(),
  })
  .superRefine((l, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, input: l, message });
    const kinds = KINDS.filter((k) => l[k] !== undefined);
    if (kinds.length === 0) issue([], "must have 'dense: <units>', 'maxout: <units>', 'dropout: <p>', 'batch_norm: {}', 'conv2d: { filters, kernel }', 'max_pool: <size>', 'avg_pool: <size>' or 'flatten: {}'");
    if (kinds.length > 1) issue([kinds[1]!], `cannot be combined with ${kinds[0]}: a layer is one kind or another`);
    const inside = kinds[0] === "conv2d" ? " (a conv2d layer's activation and init go inside conv2d: { … })" : "";
    if (kinds.length === 1 && l.activation !== undefined) {
      if (kinds[0] === "dropout") issue(["activation"], "is not allowed on a dropout layer");
      else if (!["dense", "maxout", "batch_norm"].includes(kinds[0]!)) issue(["activation"], `only applies to dense layers${inside}`);
    }
    if (kinds.length === 1 && !["dense", "maxout"].includes(kinds[0]!) && l.init !== undefined) {
      issue(["init"], `only applies to dense and maxout layers${inside}`);
    }
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

/** A hyperparameter as the registry declares it (runtime/optimizers/), as a schema field. */
function hyperField(h: Hyper): z.ZodType {
  if (h.type === "boolean") return bool().default(h.default);
  const field = h.range === "> 0" ? positive() : h.range === "≥ 0" ? nonNeg() : interval(0, 1, h.range);
  return field.default(h.default);
}

/**
 * An optimizer's block: its own hyperparameters, plus what every optimizer takes (the lr, a
 * schedule, a warmup in steps, global-norm clipping), as Keras takes learning_rate and
 * global_clipnorm in each optimizer's constructor.
 */
function optimizerBlock(def: OptimizerDef) {
  const hypers = Object.fromEntries(Object.entries(def.hypers).map(([k, h]) => [k, hyperField(h)]));
  return z
    .strictObject({
      lr: def.defaultLr === null ? positive() : positive().default(def.defaultLr),
      ...hypers,
      schedule: schedule.default("constant"),
      warmup: intIn(0, MAX_WARMUP).default(0),
      clip_norm: positive().nullable().default(null),
    })
    .superRefine((o, ctx) => {
      for (const p of def.check?.(o as never) ?? []) {
        ctx.addIssue({ code: "custom", path: [p.key], input: (o as Record<string, unknown>)[p.key], message: p.message });
      }
    });
}

/** Each registered optimizer's block, by name: the spec's `optimizer:` kinds. */
export const optimizerBlocks: Readonly<Record<string, ReturnType<typeof optimizerBlock>>> = Object.fromEntries(
  Object.entries(optimizers as unknown as Record<string, OptimizerDef>).map(([name, def]) => [name, optimizerBlock(def)]),
);

/** How data is split and prepared when the spec does not say (also for `train --data` with no data section). */
export const DATA_DEFAULTS = { test_split: 0.2, stratified: false, standardize: false, limit: null } as const;

const data = z
  .strictObject({
    builtin: nameOf("builtin data set", ["iris", "mnist"]).optional(),
    csv: text().optional(),
    random: z.strictObject({ rows: posInt(MAX_BATCH), seed: intIn(0, MAX_SEED).default(0) }).optional(),
    label: text().optional(),
    targets: z.array(text(), { error: says("must be a list of column names") }).min(1, { error: says("must name at least one column") }).optional(),
    test_split: interval(0, 1, "[0, 1)").default(DATA_DEFAULTS.test_split),
    stratified: bool().default(DATA_DEFAULTS.stratified),
    standardize: bool().default(DATA_DEFAULTS.standardize),
    limit: posInt(MAX_MNIST).nullable().default(DATA_DEFAULTS.limit),
  })
  .superRefine((d, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, input: d, message });
    const sources = (["builtin", "csv", "random"] as const).filter((k) => d[k] !== undefined);
    if (sources.length === 0) issue([], "must have 'builtin: iris|mnist', 'csv: <file>' or 'random: { rows: N }'");
    if (sources.length > 1) issue([sources[1]!], `cannot be combined with ${sources[0]}`);
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

/** A per-sample shape: `[]` is a scalar, `[2]` a vector of 2. */
const shape = z
  .array(posInt(MAX_WIDTH), { error: says("must be a shape: a list of sizes such as [2], or [] for a scalar") })
  .max(4, { error: says("must have at most 4 dimensions") });
/** Named tensors (inputs, params): names are checked with the graph's other names (graph/check.ts). */
const tensors = (what: string) => z.record(z.string(), shape, { error: says(`must be a mapping of ${what} names to shapes, like { x: [2] }`) });
const expression = z.union([z.string({ error: says("must be an expression such as 'x + y' or 'dense(h, 16, relu)'") }), z.number()], {
  error: says("must be an expression such as 'x + y' or 'dense(h, 16, relu)'"),
});

export const specSchema = z
  .strictObject({
    netspec: z.literal(1, { error: says("must be 1 (the only format version)") }),
    name: z
      .string({ error: says("must be a string") })
      .max(64, { error: says("must be at most 64 characters") })
      .regex(/^[a-z][a-z0-9_]*$/, { error: says("must be a lowercase identifier matching [a-z][a-z0-9_]*") })
      .refine((n) => !JS_RESERVED.has(n), { error: says("must not be a JavaScript reserved word") }),
    input: z
      .union([posInt(MAX_WIDTH), z.tuple([posInt(MAX_WIDTH)]), z.tuple([posInt(MAX_WIDTH), posInt(MAX_WIDTH), posInt(MAX_WIDTH)])], {
        error: says("must be a feature count, or an image shape [height, width, channels]"),
      })
      .optional(),
    layers: z
      .array(layer, { error: says("must be a list of layers") })
      .min(1, { error: says("must list at least one layer") })
      .max(MAX_LAYERS, { error: (iss) => `must have at most ${MAX_LAYERS} layers (got ${(iss.input as unknown[]).length})` })
      .optional(),
    inputs: tensors("input").optional(),
    params: tensors("parameter").optional(),
    graph: z
      .record(z.string(), expression, { error: says("must be a mapping of node names to expressions, like { q: x + y }") })
      .refine((g) => Object.keys(g).length > 0, { error: says("must define at least one node") })
      .optional(),
    output: z.string({ error: says("must be the name of a graph node") }).optional(),
    loss: loss.optional(),
    regularizer: z.strictObject({ l1: nonNeg().default(0), l2: nonNeg().default(0), biases: bool().default(false) }).optional(),
    init: z.strictObject({ weights: init.optional(), biases: init.optional(), seed: intIn(0, MAX_SEED).default(0) }).optional(),
    optimizer: kindOf("optimizer", optimizerBlocks, "{ adam: { lr: 0.001 } }").default({ sgd: optimizerBlocks.sgd!.parse({ lr: 0.01 }) }),
    train: z.strictObject({
      batch: posInt(MAX_BATCH),
      epochs: posInt(MAX_EPOCHS).default(10),
      shuffle: bool().default(true),
      stop_below: nonNeg().nullable().default(null),
      early_stopping: z.strictObject({ patience: posInt(MAX_EPOCHS), restore_best: bool().default(true) }).optional(),
    }).optional(),
    data: data.optional(),
  })
  .superRefine((s, ctx) => {
    // Which form: a stack of layers, or a graph of named expressions.
    const issue = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, input: s, message: WHOLE + message });
    const only = (keys: (keyof typeof s)[], form: string) => {
      for (const k of keys) if (s[k] !== undefined) issue([k], `'${k}' only applies to ${form} specs`);
    };
    if (s.layers === undefined && s.graph === undefined) issue([], "spec must have 'layers:' (a stack of layers) or 'graph:' (named expressions)");
    else if (s.layers !== undefined && s.graph !== undefined) issue(["graph"], "spec has both 'layers:' and 'graph:'; it must be one or the other");
    else if (s.layers !== undefined) {
      only(["inputs", "params", "output"], "graph");
      if (s.input === undefined) issue([], "spec is missing required key 'input'");
      if (s.loss === undefined) issue([], "spec is missing required key 'loss'");
    } else {
      only(["input"], "layers");
      if (s.inputs === undefined) issue([], "spec is missing required key 'inputs' (name → shape, like { x: [2] })");
      if (s.output === undefined) issue([], "spec is missing required key 'output' (the graph node whose value is the result)");
    }
    if (s.loss !== undefined && s.train === undefined) issue([], "spec is missing required key 'train' (a spec with a loss needs train.batch)");
  })
  .meta({
    title: "netspec spec",
    description: "A neural network for netspec to compile into TypeScript: a stack of layers, or a graph of named expressions.",
  });

export type RawSpec = z.output<typeof specSchema>;

/** The JSON Schema of what a user may write, for editors (yaml-language-server). */
export function specJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(specSchema, { io: "input" }) as Record<string, unknown>;
}
