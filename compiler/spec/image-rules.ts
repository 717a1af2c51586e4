// Cross rules of a `layers:` spec with image input or image layers (conv2d, pools, flatten):
// every layer's shapes are found by lowering it, so a window that does not fit is reported
// at its layer with both shapes, and the sizes and the data are checked on those shapes.

import { LayerError, lower } from "../lower.ts";
import { shapeSize, shapeText } from "../ir/types.ts";
import type { Finding } from "./issues.ts";
import { dataRules, MAX_ACTIVATIONS, MAX_PARAMS } from "./rules.ts";
import type { Spec } from "./types.ts";

const IMAGE_KINDS: ReadonlySet<string> = new Set(["conv2d", "max_pool", "avg_pool", "flatten"]);

export const hasImageLayers = (spec: Spec): boolean =>
  spec.graph === null && ((spec.inputShape?.length ?? 1) > 1 || spec.layers.some((l) => IMAGE_KINDS.has(l.kind)));

export function imageRules(spec: Spec): Finding[] {
  const at = (i: number) => ["layers", i, spec.layers[i]!.kind];
  // Sizes first, from the shapes alone, so nothing huge is built.
  const sizes = sizeRules(spec);
  if (sizes.length) return sizes;
  let g;
  try {
    // Without the loss, whose own shape rule would refuse an image output as a compiler error.
    g = lower({ ...spec, loss: null });
  } catch (e) {
    if (!(e instanceof LayerError)) throw e;
    return [{ path: at(e.index), message: `layers[${e.index}] ${spec.layers[e.index]!.kind}: ${e.message}` }];
  }
  const last = spec.layers.length - 1;
  const shape = g.values[g.outputs[0]!.value]!.shape;
  if (shape.length !== 2) {
    return [{ path: at(last), message: `the last layer (layers[${last}]) must give rows of scores [batch, outputs] for the loss ${spec.loss!.op}, but gives ${shapeText(shape)}: end with a dense layer` }];
  }
  const params = g.params.reduce((s, p) => s + shapeSize(g.values[p.value]!.shape), 0);
  if (params > MAX_PARAMS) return [{ path: at(last), message: `the network has ${params} parameters (at most ${MAX_PARAMS})` }];
  return dataRules(spec, spec.loss!, shape[1]!, at(last), ["input"]);
}

/** Activations per layer over a batch, estimated from the shapes before lowering (a `same` layer's output is at most its input's size). */
function sizeRules(spec: Spec): Finding[] {
  const batch = spec.train.batch!;
  let [h, w, c] = spec.inputShape ?? [1, 1, spec.input];
  for (const [i, l] of spec.layers.entries()) {
    if (l.kind === "conv2d") c = l.units;
    else if (l.kind === "dense" || l.kind === "maxout") [h, w, c] = [1, 1, l.units * l.pieces];
    const size = batch * h! * w! * c!;
    if (size > MAX_ACTIVATIONS) {
      return [{ path: ["layers", i, l.kind], message: `layers[${i}] needs about ${size} activations per batch (at most ${MAX_ACTIVATIONS})` }];
    }
    if (l.window) [h, w] = [Math.ceil(h! / l.window.stride[0]), Math.ceil(w! / l.window.stride[1])];
  }
  return [];
}
