// Phase 3: the validated raw spec → the normalized Spec. Short forms are expanded, op
// attributes get their registry defaults, and defaults that depend on other fields are filled.

import type { z } from "zod";
import { own } from "../../runtime/own.ts";
import { activations, losses } from "../ops/registry.ts";
import { BATCH_NORM_DEFAULTS } from "../ops/layers/batch_norm.ts";
import type { KindValue } from "./fields.ts";
import { optimizerBlocks, type RawSpec } from "./schema.ts";
import type { DataSpec, GraphSpec, InitSpec, LayerSpec, OpRef, OptimizerSpec, ScheduleSpec, Spec } from "./types.ts";


function kindEntry(v: KindValue): [string, Record<string, unknown>] {
  if (typeof v === "string") return [v, {}];
  const [name, attrs] = Object.entries(v).find(([, a]) => a !== undefined)!;
  return [name, (attrs ?? {}) as Record<string, unknown>];
}

/** An op reference with the op's attribute defaults filled (short forms parse `{}`). */
function opRef(v: KindValue, defs: Readonly<Record<string, { readonly attrs?: z.ZodType }>>): OpRef {
  const [op, attrs] = kindEntry(v);
  const schema = own(defs, op)?.attrs;
  return { op, attrs: (schema ? schema.parse(attrs) : {}) as OpRef["attrs"] };
}

function initSpec(v: KindValue | undefined, fallback: InitSpec): InitSpec {
  if (v === undefined) return fallback;
  const [kind, a] = kindEntry(v);
  switch (kind) {
    case "normal":
      return { kind, mean: (a.mean as number | undefined) ?? 0, std: (a.std as number | undefined) ?? 1 };
    case "uniform":
      return { kind, min: a.min as number, max: a.max as number };
    default:
      return { kind } as InitSpec;
  }
}

function schedule(v: KindValue, epochs: number): ScheduleSpec {
  const [kind, a] = kindEntry(v);
  if (kind === "step") return { kind, every: a.every as number, factor: a.factor as number };
  if (kind === "cosine") return { kind, epochs: (a.epochs as number | undefined) ?? epochs, min_lr: (a.min_lr as number | undefined) ?? 0 };
  return { kind: "constant" };
}

/** The optimizer block with its defaults filled (a short form such as `optimizer: adam` parses `{}`). */
function optimizer(v: KindValue, epochs: number): OptimizerSpec {
  const [kind, attrs] = kindEntry(v);
  const { lr, schedule: sched, warmup, clip_norm, ...hypers } = own(optimizerBlocks, kind)!.parse(attrs) as Record<string, unknown>;
  return {
    rule: { kind, ...hypers } as OptimizerSpec["rule"],
    lr: lr as number,
    schedule: schedule(sched as KindValue, epochs),
    warmup: warmup as number,
    clip_norm: clip_norm as number | null,
  };
}

/** Keras' defaults: Glorot-uniform weights, zero biases. */
const GLOROT: InitSpec = { kind: "glorot_uniform" };
const ZEROS: InitSpec = { kind: "zeros" };

type RawLayer = NonNullable<RawSpec["layers"]>[number];
const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** conv2d, max_pool, avg_pool and flatten layers (Keras' defaults: stride 1 for conv, the pool size for pools). */
function imageLayer(l: RawLayer, raw: RawSpec): LayerSpec | null {
  const reg = l.regularize === false ? 0 : l.regularize;
  const none = { op: "identity", attrs: {} };
  const common = { pieces: 1, activation: none, bias: false, init: { weights: GLOROT, biases: ZEROS }, regularize: reg, regularizeBias: 0 };
  if (l.conv2d) {
    const c = l.conv2d;
    return {
      ...common,
      kind: "conv2d",
      units: c.filters,
      window: { kernel: pair(c.kernel), stride: pair(c.stride), padding: c.padding },
      activation: opRef(c.activation ?? "identity", activations),
      bias: c.bias,
      init: { weights: initSpec(c.init?.weights ?? raw.init?.weights, GLOROT), biases: initSpec(c.init?.biases ?? raw.init?.biases, ZEROS) },
      regularizeBias: raw.regularizer?.biases && c.bias ? reg : 0,
    };
  }
  for (const kind of ["max_pool", "avg_pool"] as const) {
    const p = l[kind];
    if (p === undefined) continue;
    const o = typeof p === "number" || Array.isArray(p) ? { size: p as number | [number, number], stride: undefined, padding: "valid" as const } : p;
    const s = pair(o.size);
    return { ...common, kind, units: 0, regularize: 0, window: { kernel: s, stride: o.stride === undefined ? s : pair(o.stride), padding: o.padding } };
  }
  if (l.flatten !== undefined) return { ...common, kind: "flatten", units: 0, regularize: 0 };
  return null;
}

function layer(l: RawLayer, raw: RawSpec, width: number): LayerSpec {
  const image = imageLayer(l, raw);
  if (image) return image;
  const reg = l.regularize === false ? 0 : l.regularize;
  if (l.dropout !== undefined || l.batch_norm !== undefined) {
    // Width-preserving layers: they own no weights or biases.
    const common = { units: width, pieces: 1, bias: false, init: { weights: GLOROT, biases: ZEROS }, regularize: 0, regularizeBias: 0 };
    if (l.dropout !== undefined) return { kind: "dropout", ...common, activation: opRef("identity", activations), p: l.dropout };
    const bn = l.batch_norm ?? { momentum: BATCH_NORM_DEFAULTS.momentum, eps: BATCH_NORM_DEFAULTS.eps };
    return { kind: "batch_norm", ...common, activation: opRef(l.activation ?? "identity", activations), momentum: bn.momentum, eps: bn.eps };
  }
  const maxout = l.maxout !== undefined;
  return {
    kind: maxout ? "maxout" : "dense",
    units: (l.maxout ?? l.dense)!,
    pieces: maxout ? (l.pieces ?? 2) : 1,
    activation: opRef(l.activation ?? "identity", activations),
    bias: l.bias,
    init: {
      // Per-layer init wins over the spec-wide one, which wins over Keras' defaults.
      weights: initSpec(l.init?.weights ?? raw.init?.weights, GLOROT),
      biases: initSpec(l.init?.biases ?? raw.init?.biases, ZEROS),
    },
    regularize: reg,
    regularizeBias: raw.regularizer?.biases && l.bias ? reg : 0,
  };
}

/** Each layer knows its width: dropout and batch_norm keep the one before them. */
function layersOf(raw: RawSpec): LayerSpec[] {
  // An image input's width is its flat size; dropout after an image layer keeps no width.
  let width = typeof raw.input === "number" ? raw.input : 0;
  return (raw.layers ?? []).map((l) => {
    const spec = layer(l, raw, width);
    width = spec.units;
    return spec;
  });
}

function data(d: NonNullable<RawSpec["data"]>): DataSpec {
  const common = { test_split: d.test_split, stratified: d.stratified, standardize: d.standardize, limit: d.limit };
  if (d.builtin !== undefined) return { kind: "builtin", builtin: d.builtin, ...common };
  if (d.random !== undefined) return { kind: "random", rows: d.random.rows, seed: d.random.seed, ...common };
  return { kind: "csv", csv: d.csv!, label: d.label ?? null, targets: d.targets ?? null, ...common };
}

/** The validated spec, with a graph spec's checked graph (graph/check.ts); null for a layers: spec. */
export function normalize(raw: RawSpec, graph: GraphSpec | null): Spec {
  const epochs = raw.train?.epochs ?? 10;
  return {
    netspec: 1,
    name: raw.name,
    input: typeof raw.input === "object" ? raw.input.reduce((a, b) => a * b, 1) : raw.input ?? (graph ? graph.inputs.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0) : 0),
    ...(Array.isArray(raw.input) && raw.input.length === 3 ? { inputShape: [...raw.input] } : {}),
    layers: layersOf(raw),
    graph,
    loss: raw.loss === undefined ? null : opRef(raw.loss, losses),
    regularizer: { l1: raw.regularizer?.l1 ?? 0, l2: raw.regularizer?.l2 ?? 0, biases: raw.regularizer?.biases ?? false },
    init: { weights: initSpec(raw.init?.weights, GLOROT), biases: initSpec(raw.init?.biases, ZEROS) },
    seed: raw.init?.seed ?? 0,
    optimizer: optimizer(raw.optimizer, epochs),
    train: {
      batch: raw.train?.batch ?? null,
      epochs,
      shuffle: raw.train?.shuffle ?? true,
      stop_below: raw.train?.stop_below ?? null,
      early_stopping: raw.train?.early_stopping ?? null,
    },
    data: raw.data === undefined ? null : data(raw.data),
  };
}
