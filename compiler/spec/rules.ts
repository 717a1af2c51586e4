// Phase 4: rules that relate distant parts of a structurally valid spec: the loss against
// the last layer and the data, the data set's shape against input and outputs, and total
// sizes (capped before anything is allocated).

import { losses, type LossName } from "../ops/registry.ts";
import type { Finding } from "./issues.ts";
import type { Path } from "./parse.ts";
import { graphRules } from "./graph/rules.ts";
import { optimizerRules } from "./optimizer-rules.ts";
import { hasImageLayers, imageRules } from "./image-rules.ts";
import type { Spec } from "./types.ts";

/** Builtin data sets: features per sample and classes. */
export const BUILTIN_SHAPES = { iris: { input: 4, classes: 3 }, mnist: { input: 784, classes: 10 } } as const;

/** About 200 MB of float32 parameters, or of one layer's activations over a batch. */
export const MAX_PARAMS = 50_000_000;
export const MAX_ACTIVATIONS = 50_000_000;

export function crossRules(spec: Spec): Finding[] {
  return [...shapeRules(spec), ...optimizerRules(spec)];
}

function shapeRules(spec: Spec): Finding[] {
  if (spec.graph) return graphRules(spec);
  if (hasImageLayers(spec)) return imageRules(spec);
  const out: Finding[] = [];
  const last = spec.layers.length - 1;
  const lastLayer = spec.layers[last]!;
  const width = lastLayer.units;
  const widthPath = ["layers", last, lastLayer.kind];
  const specLoss = spec.loss!; // a layers: spec always has one (schema.ts)
  out.push(...dataRules(spec, specLoss, width, widthPath, ["input"]));
  spec.layers.forEach((l, i) => {
    if (l.kind === "batch_norm" && spec.train.batch === 1) {
      out.push({ path: ["train", "batch"], message: `train.batch must be at least 2 with batch_norm (layers[${i}]): the variance of a batch of one row is 0` });
    }
  });
  return [...out, ...sizeRules(spec)];
}

/** The loss against the output width, and the data set against the input and the outputs. */
export function dataRules(spec: Spec, specLoss: NonNullable<Spec["loss"]>, width: number, widthPath: Path, inputPath: Path): Finding[] {
  const out: Finding[] = [];
  const loss = losses[specLoss.op as LossName];
  const what = spec.graph ? `the output '${spec.graph.output}'` : `the last layer (layers[${spec.layers.length - 1}])`;
  if (width < loss.minOutputs) {
    out.push({
      path: ["loss"],
      message: `loss ${specLoss.op} needs at least ${loss.minOutputs} outputs, but ${what} has ${width}`,
    });
  }
  const d = spec.data;
  if (!d) return out;
  if (loss.target === "class" && d.kind === "csv" && d.targets) {
    out.push({
      path: ["loss"],
      message: `loss ${specLoss.op} needs class labels, but data has regression targets (data.targets); use 'label: <column>' or a loss such as mse`,
    });
  }
  if (d.kind === "random" && spec.train.batch !== null && d.rows * (1 - d.test_split) < spec.train.batch) {
    out.push({
      path: ["data", "random", "rows"],
      message: `data.random.rows must give at least one batch of ${spec.train.batch} training rows (got ${d.rows}${d.test_split ? ` with test_split ${d.test_split}` : ""})`,
    });
  }
  if (d.kind === "builtin") {
    const shape = BUILTIN_SHAPES[d.builtin];
    if (spec.input !== shape.input) {
      out.push({ path: inputPath, message: `${spec.graph ? "the input" : "input"} must be ${shape.input} for the builtin ${d.builtin} data set (got ${spec.input})` });
    }
    if (width !== shape.classes) {
      out.push({
        path: widthPath,
        message: `${spec.graph ? `the output '${spec.graph.output}'` : "the last layer"} must have ${shape.classes} units for the builtin ${d.builtin} data set (${shape.classes} classes; got ${width})`,
      });
    }
  }
  if (d.kind === "csv" && d.targets && width !== d.targets.length) {
    out.push({
      path: widthPath,
      message: `${spec.graph ? `the output '${spec.graph.output}'` : "the last layer"} must have ${d.targets.length} units, one per column of data.targets (got ${width})`,
    });
  }
  if (spec.train.early_stopping && d.test_split === 0) {
    out.push({ path: ["train", "early_stopping"], message: "train.early_stopping needs held-out data: set data.test_split > 0" });
  }
  return out;
}

/** Parameter and activation counts, so a typo like `dense: 1000000` fails here, not in malloc. */
function sizeRules(spec: Spec): Finding[] {
  const batch = spec.train.batch!; // a layers: spec has a loss, so a train section
  let fanIn = spec.input;
  let params = 0;
  for (const [i, l] of spec.layers.entries()) {
    const outs = l.units * l.pieces;
    const affine = l.kind === "dense" || l.kind === "maxout";
    params += affine ? fanIn * outs + (l.bias ? outs : 0) : l.kind === "batch_norm" ? 2 * outs : 0;
    const path = ["layers", i, l.kind];
    if (params > MAX_PARAMS) {
      return [{ path, message: `layers[${i}] brings the network to ${params} parameters (at most ${MAX_PARAMS})` }];
    }
    if (batch * outs > MAX_ACTIVATIONS) {
      return [{ path, message: `layers[${i}] needs ${batch * outs} activations per batch (batch × units × pieces; at most ${MAX_ACTIVATIONS})` }];
    }
    fanIn = l.units;
  }
  return [];
}
