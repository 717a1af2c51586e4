// Phase 4: rules that relate distant parts of a structurally valid spec: the loss against
// the last layer and the data, the data set's shape against input and outputs, and total
// sizes (capped before anything is allocated).

import { losses, type LossName } from "../ops/registry.ts";
import type { Finding } from "./issues.ts";
import type { Spec } from "./types.ts";

/** Builtin data sets: features per sample and classes. */
export const BUILTIN_SHAPES = { iris: { input: 4, classes: 3 }, mnist: { input: 784, classes: 10 } } as const;

/** About 200 MB of float32 parameters, or of one layer's activations over a batch. */
export const MAX_PARAMS = 50_000_000;
export const MAX_ACTIVATIONS = 50_000_000;

export function crossRules(spec: Spec): Finding[] {
  const out: Finding[] = [];
  const last = spec.layers.length - 1;
  const lastLayer = spec.layers[last]!;
  const width = lastLayer.units;
  const widthPath = ["layers", last, lastLayer.kind];
  const loss = losses[spec.loss.op as LossName];
  const d = spec.data;

  if (width < loss.minOutputs) {
    out.push({
      path: ["loss"],
      message: `loss ${spec.loss.op} needs at least ${loss.minOutputs} outputs, but the last layer (layers[${last}]) has ${width}`,
    });
  }
  if (loss.target === "class" && d.kind === "csv" && d.targets) {
    out.push({
      path: ["loss"],
      message: `loss ${spec.loss.op} needs class labels, but data has regression targets (data.targets); use 'label: <column>' or a loss such as mse`,
    });
  }
  if (d.kind === "builtin") {
    const shape = BUILTIN_SHAPES[d.builtin];
    if (spec.input !== shape.input) {
      out.push({ path: ["input"], message: `input must be ${shape.input} for the builtin ${d.builtin} data set (got ${spec.input})` });
    }
    if (width !== shape.classes) {
      out.push({
        path: widthPath,
        message: `the last layer must have ${shape.classes} units for the builtin ${d.builtin} data set (${shape.classes} classes; got ${width})`,
      });
    }
  }
  if (d.kind === "csv" && d.targets && width !== d.targets.length) {
    out.push({
      path: widthPath,
      message: `the last layer must have ${d.targets.length} units, one per column of data.targets (got ${width})`,
    });
  }
  if (spec.train.early_stopping && d.test_split === 0) {
    out.push({ path: ["train", "early_stopping"], message: "train.early_stopping needs held-out data: set data.test_split > 0" });
  }
  return [...out, ...sizeRules(spec)];
}

/** Parameter and activation counts, so a typo like `dense: 1000000` fails here, not in malloc. */
function sizeRules(spec: Spec): Finding[] {
  let fanIn = spec.input;
  let params = 0;
  for (const [i, l] of spec.layers.entries()) {
    const outs = l.units * l.pieces;
    params += fanIn * outs + (l.bias ? outs : 0);
    const path = ["layers", i, l.kind];
    if (params > MAX_PARAMS) {
      return [{ path, message: `layers[${i}] brings the network to ${params} parameters (at most ${MAX_PARAMS})` }];
    }
    if (spec.train.batch * outs > MAX_ACTIVATIONS) {
      return [{ path, message: `layers[${i}] needs ${spec.train.batch * outs} activations per batch (batch × units × pieces; at most ${MAX_ACTIVATIONS})` }];
    }
    fanIn = l.units;
  }
  return [];
}
