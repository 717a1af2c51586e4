// The spec as a graph of named nodes, which is what lower() reads. A `layers:` list is sugar
// for a chain: layers[i] reads the previous layer's output (the first reads the input x).

import type { LayerSpec, Spec } from "./types.ts";

export interface ModelNode {
  /** The name other nodes read its output by. */
  readonly name: string;
  /** Where it is in the spec, e.g. `layers[0]`: owner of its parameters, and named in comments. */
  readonly path: string;
  /** A layer kind of the registry (`dense`, `maxout`). */
  readonly op: LayerSpec["kind"];
  readonly inputs: readonly string[];
  readonly attrs: LayerSpec;
  /** v1 layers name their values by position (`W1`, `z1`, `h1`) rather than after the node. */
  readonly index?: number;
}

export function modelNodes(spec: Spec): ModelNode[] {
  return spec.layers.map((layer, i) => ({
    name: `h${i + 1}`,
    path: `layers[${i}]`,
    op: layer.kind,
    inputs: [i === 0 ? "x" : `h${i}`],
    attrs: layer,
    index: i + 1,
  }));
}
