// The point `grad` and `draw --at` evaluate at: what `--at` gives, and for the rest the
// spec's initial parameters (from the generated module's own init, the only implementation
// of the initialisers) and, for a training spec, the first batch of its training data.

import { dirname } from "node:path";
import { DataError, prepareData, vectorTargets } from "../../runtime/index.ts";
import { autodiff } from "../autodiff.ts";
import { feedsAt, needsData, needsParams, parsePoint, type Defaults } from "../grad.ts";
import type { Feeds } from "../interpret.ts";
import { shapeSize, type Graph, type TrainGraph } from "../ir/types.ts";
import { verify } from "../ir/verify.ts";
import { lower } from "../lower.ts";
import type { Loaded } from "./compile.ts";
import { importCompiled } from "./module-loader.ts";
import type { CompiledModule } from "../../runtime/module.ts";

export interface Evaluation {
  readonly graph: TrainGraph;
  readonly feeds: Feeds;
  /** Where the values not given with --at came from, for the report's header. */
  readonly from: string[];
}

/** The spec's graph, differentiated by its parameters and inputs. */
export function differentiate(spec: Loaded["spec"]): TrainGraph {
  const graph = autodiff(lower(spec), { inputGrads: true });
  verify(graph, "autodiff");
  return graph;
}

/** Parses `--at` and fills in the rest; throws PointError (or DataError) for the user to fix. */
export async function evaluationPoint(loaded: Loaded, at: readonly string[]): Promise<Evaluation> {
  const graph = differentiate(loaded.spec);
  const point = parsePoint(at, graph);
  const from: string[] = [];
  let defaults: Defaults = {};
  if (needsParams(graph, point)) {
    defaults = { ...defaults, ...(await initialParams(loaded, graph)) };
    from.push(`initial parameters (seed ${loaded.spec.seed})`);
  }
  if (needsData(graph, point)) {
    const batch = firstBatch(loaded, graph);
    if (batch) {
      defaults = { ...defaults, ...batch.feeds };
      from.push(batch.describe);
    }
  }
  return { graph, feeds: feedsAt(graph, point, defaults), from };
}

/**
 * The parameters `init(seed)` of the compiled module produces, per graph param, in float64,
 * and its state (running statistics, dropout streams: the masks of the first training step).
 */
async function initialParams(loaded: Loaded, graph: Graph): Promise<Pick<Defaults, "params" | "state">> {
  const { spec } = loaded;
  const mod = await importCompiled(loaded);
  const model = mod.createModel();
  model.init(spec.seed);
  const read = (entries: readonly { owner: string; role: string }[], layouts: CompiledModule["PARAMS"], from: Float32Array) =>
    entries.map((p, k) => {
      // Several state buffers can share a path (two dropout calls in one node): they are in order.
      const layout = layouts.filter((l) => l.path === `${p.owner}.${p.role}`)[entries.slice(0, k).filter((q) => q.owner === p.owner && q.role === p.role).length];
      if (!layout) throw new Error(`internal: the compiled module has no tensor ${p.owner}.${p.role}`);
      return Float64Array.from(from.subarray(layout.offset, layout.offset + layout.size));
    });
  return { params: read(graph.params, mod.PARAMS, model.params), state: read(graph.state, mod.STATE, model.state) };
}

/**
 * The first batch of the spec's training rows (after its split and standardization) as the
 * single input and target; null when the spec has no data or the graph is not one input and
 * one target (each value must then come from --at).
 */
function firstBatch({ spec, file }: Loaded, graph: Graph): { feeds: Defaults; describe: string } | null {
  if (!spec.data || graph.inputs.length !== 1 || graph.targets.length !== 1) return null;
  const x = graph.values[graph.inputs[0]!.value]!;
  const t = graph.values[graph.targets[0]!.value]!;
  if (!x.batched) return null;
  const rows = x.shape[0]!;
  const width = shapeSize(x.shape.slice(1));
  const outputs = graph.values[graph.outputs[0]!.value]!;
  const shape = { inputSize: width, outputSize: shapeSize(outputs.shape.slice(1)), target: t.dtype === "i32" ? ("class" as const) : ("vector" as const) };
  const { train } = prepareData(spec.data, { baseDir: dirname(file), seed: spec.seed, inputSize: width, shape });
  if (train.rows < rows) throw new DataError(`${train.name}: ${train.rows} training rows but the batch is ${rows}; give the inputs with --at`);
  const inputs = Float64Array.from(train.features.subarray(0, rows * width));
  let targets: Float64Array;
  if (t.dtype === "i32") {
    if (!train.labels) throw new DataError(`${train.name}: the loss needs class labels; the data has none`);
    targets = Float64Array.from(train.labels.subarray(0, rows));
  } else {
    const tw = shapeSize(t.shape.slice(1));
    targets = Float64Array.from(vectorTargets(train, tw).subarray(0, rows * tw));
  }
  const d = spec.data;
  const source = d.kind === "builtin" ? `builtin:${d.builtin}` : d.kind === "random" ? `random data (seed ${d.seed})` : d.csv;
  return { feeds: { inputs: [inputs], targets: [targets] }, describe: `the first ${rows} training rows of ${source}` };
}
