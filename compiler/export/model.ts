// `netspec export`'s two formats from one spec, its module and a set of weights: the ONNX
// model's bytes, or the weights as JSON. What the CLI and the tests both call.

import type { Graph } from "../ir/types.ts";
import { losses } from "../ops/registry.ts";
import type { Spec } from "../spec/types.ts";
import type { CompiledModule } from "../../runtime/module.ts";
import type { DataMeta } from "../../runtime/checkpoint.ts";
import { own } from "../../runtime/own.ts";
import { encodeOnnx } from "./onnx-encode.ts";
import { toOnnxGraph } from "./onnx-graph.ts";
import { ExportError, type OnnxRule } from "./rule.ts";
import { tensorsByName, weightsJson, type Weights } from "./weights.ts";

export interface ExportInput {
  readonly spec: Spec;
  /** The lowered forward graph the module was compiled from. */
  readonly forward: Graph;
  readonly mod: CompiledModule;
  readonly weights: Weights;
  /** Where the weights came from (a checkpoint's path, or the initialisers), for the file's metadata. */
  readonly from: string;
  /** The checkpoint's preprocessing: standardization goes into the ONNX graph, class names into its metadata. */
  readonly data: DataMeta | null;
}

/** The losses whose scores have a probability form, for messages. */
const probabilityLosses = (): string[] => Object.values(losses).filter((l) => l.probabilities).map((l) => l.name);

/** The loss's scores → probabilities rule; an ExportError when the spec's loss has none. */
export function probabilitiesOf(spec: Spec): OnnxRule {
  const loss = spec.loss ? own(losses, spec.loss.op) : undefined;
  if (loss?.probabilities) return loss.probabilities;
  const what = spec.loss ? `the loss ${spec.loss.op} gives scores, not probabilities` : "the spec has no loss, so its output is no probability";
  throw new ExportError(`--probabilities: ${what} (${probabilityLosses().join(" and ")} have them)`);
}

export function onnxModel(x: ExportInput, opts: { probabilities: boolean; producerVersion: string }): Uint8Array {
  const { mean, std, classNames } = x.data ?? { mean: null, std: null, classNames: null };
  const graph = toOnnxGraph({
    graph: x.forward,
    name: x.spec.name,
    tensor: tensorsByName(x.mod, x.weights),
    probabilities: opts.probabilities ? probabilitiesOf(x.spec) : null,
    standardize: mean && std ? { mean, std } : null,
  });
  const metadata: Record<string, string> = {
    "netspec.spec": x.spec.name,
    "netspec.spec_hash": x.mod.SPEC_HASH,
    "netspec.weights": x.from,
    "netspec.outputs": opts.probabilities ? "probabilities" : "scores",
  };
  if (classNames) metadata["netspec.class_names"] = JSON.stringify(classNames);
  const doc = `${x.spec.name}: the inference graph of a netspec spec (loss ${x.spec.loss?.op ?? "none"}), weights from ${x.from}`;
  return encodeOnnx(graph, { producerVersion: opts.producerVersion, doc, metadata });
}

export const jsonWeights = (x: ExportInput): string => weightsJson(x.mod, x.weights, { weights: x.from, data: x.data });
