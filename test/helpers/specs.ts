// Normalized specs built in code, for compiler tests that do not go through YAML.
import type { LayerSpec, Spec } from "../../compiler/spec/types.ts";

export function layer(units: number, activation = "identity", extra: Partial<LayerSpec> = {}): LayerSpec {
  const attrs: Record<string, number> = activation === "leaky_relu" ? { alpha: 0.1 } : activation === "elu" ? { alpha: 1 } : {};
  return {
    kind: "dense",
    units,
    pieces: 1,
    activation: { op: activation, attrs },
    bias: true,
    init: { weights: { kind: "normal", mean: 0, std: 0.5 }, biases: { kind: "normal", mean: 0, std: 0.1 } },
    regularize: 1,
    regularizeBias: 0,
    ...extra,
  };
}

export function makeSpec(over: Partial<Spec> & Pick<Spec, "layers">): Spec {
  return {
    netspec: 1,
    name: "t",
    input: 4,
    graph: null,
    init: { weights: { kind: "glorot_uniform" }, biases: { kind: "zeros" } },
    loss: { op: "softmax_cross_entropy", attrs: {} },
    regularizer: { l1: 0, l2: 0 },
    seed: 1,
    optimizer: { rule: { kind: "sgd", momentum: 0, nesterov: false }, lr: 0.1, schedule: { kind: "constant" }, warmup: 0, clip_norm: null },
    train: { batch: 5, epochs: 1, shuffle: true, stop_below: null, early_stopping: null },
    data: { kind: "builtin", builtin: "iris", test_split: 0.5, stratified: true, standardize: false, limit: null },
    ...over,
  };
}

/** A dropout layer over `width` units (what normalize makes of `- dropout: p`). */
export function dropoutLayer(p: number, width: number): LayerSpec {
  return { ...layer(width), kind: "dropout", bias: false, regularize: 0, p };
}

/** A batch_norm layer over `width` units, then an activation (what normalize makes of `- batch_norm:`). */
export function batchNormLayer(width: number, activation = "identity", extra: Partial<LayerSpec> = {}): LayerSpec {
  return { ...layer(width, activation), kind: "batch_norm", bias: false, regularize: 0, momentum: 0.1, eps: 1e-5, ...extra };
}
