// A model's weights as tensors by path, and `netspec export --format json`: the layout
// (PARAMS, STATE, INPUTS) with every tensor's values nested by its shape, for people who
// want neither ONNX nor checkpoints (`numpy.array(t["values"])` has the tensor's shape).

import { shapeSize } from "../ir/types.ts";
import type { CompiledModule, ParamLayout } from "../../runtime/module.ts";
import type { DataMeta } from "../../runtime/checkpoint.ts";
import { ExportError } from "./rule.ts";

export interface Weights {
  readonly params: Float32Array;
  readonly state: Float32Array;
}

/** The values of each parameter and state buffer, by its path (`layers[0].weights`). */
/** Each parameter and state tensor by its name (unique, unlike a path: one graph node may call two layers). */
export function tensorsByName(mod: CompiledModule, w: Weights): (name: string) => Float32Array {
  const byName = new Map<string, Float32Array>();
  for (const p of mod.PARAMS) byName.set(p.name, w.params.subarray(p.offset, p.offset + p.size));
  for (const s of mod.STATE) byName.set(s.name, w.state.subarray(s.offset, s.offset + s.size));
  return (name) => {
    const t = byName.get(name);
    if (!t) throw new Error(`internal: the module has no tensor ${name}`);
    return t;
  };
}

/** The shortest decimal that reads back as the same float32 (0.1f is 0.1, not 0.10000000149011612). */
export function shortestFloat32(x: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === x) return y;
  }
  return Number(x.toPrecision(9));
}

/** Row-major values as nested arrays of the shape (a scalar is a number). */
function nested(data: Float32Array, shape: readonly number[]): unknown {
  if (shape.length === 0) return shortestFloat32(data[0]!);
  if (shape.length === 1) return Array.from(data, shortestFloat32);
  const step = shapeSize(shape.slice(1));
  return Array.from({ length: shape[0]! }, (_, i) => nested(data.subarray(i * step, (i + 1) * step), shape.slice(1)));
}

function tensors(layout: readonly ParamLayout[], flat: Float32Array) {
  return layout.map((t) => {
    const data = flat.subarray(t.offset, t.offset + t.size);
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new ExportError(`${t.path} (${t.name}) holds ${data[bad]} at element ${bad}; JSON has no such number (was the run diverging?)`);
    return { name: t.name, path: t.path, shape: t.shape, offset: t.offset, size: t.size, values: nested(data, t.shape) };
  });
}

export interface JsonSource {
  /** Where the weights came from: a checkpoint's path, or the spec's initialisers. */
  readonly weights: string;
  readonly data: DataMeta | null;
}

/** The JSON document: layout and values, two-space indented, each tensor's values on one line. */
export function weightsJson(mod: CompiledModule, w: Weights, source: JsonSource): string {
  const params = tensors(mod.PARAMS, w.params);
  const state = tensors(mod.STATE, w.state);
  const values: unknown[] = [];
  const doc = {
    format: "netspec-weights",
    version: 1,
    spec: mod.SPEC_NAME,
    specHash: mod.SPEC_HASH,
    netspec: mod.NETSPEC_VERSION,
    weights: source.weights,
    inputs: mod.INPUTS.map((i) => ({ name: i.name, shape: i.shape })),
    outputSize: mod.OUTPUT_SIZE,
    loss: mod.LOSS,
    preprocessing: source.data ? { classNames: source.data.classNames, mean: source.data.mean, std: source.data.std } : null,
    params,
    state,
  };
  // Indent the layout for reading, but keep a tensor's values together (a 784×128 matrix is one line, not 100,352).
  const text = JSON.stringify(doc, (key, v) => (key === "values" ? `\u0000${values.push(v) - 1}` : v), 2);
  return `${text.replace(/"\\u0000(\d+)"/g, (_, k: string) => JSON.stringify(values[Number(k)]))}\n`;
}
