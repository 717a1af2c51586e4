// Rules of a graph spec that need shapes: every expression's shapes must fit (found by
// lowering it), a spec with no loss must compute a scalar, a spec with a loss must compute
// rows of outputs that fit the loss and the data.

import { GraphError } from "../../lower-graph.ts";
import { lower } from "../../lower.ts";
import { shapeText } from "../../ir/types.ts";
import type { Finding } from "../issues.ts";
import { dataRules } from "../rules.ts";
import type { Spec } from "../types.ts";

export function graphRules(spec: Spec): Finding[] {
  const graph = spec.graph!;
  let shape: readonly number[];
  try {
    const g = lower(spec);
    shape = g.values[g.outputs[0]!.value]!.shape;
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    return [{ path: ["graph", e.node], column: e.at, message: `graph.${e.node}: ${e.message}` }];
  }
  const output = `output '${graph.output}'`;
  if (!spec.loss) {
    if (shape.length === 0) return [];
    const why = spec.train.batch === null ? "" : " (with train.batch, every value has a batch dimension: add a loss, or drop train)";
    return [{ path: ["output"], message: `${output} must be a scalar when the spec has no loss: its gradients are what is computed (got ${shapeText(shape)})${why}` }];
  }
  if (shape.length !== 2) {
    return [{ path: ["output"], message: `${output} must be rows of scores [batch, outputs] for the loss ${spec.loss.op} (got ${shapeText(shape)})` }];
  }
  const inputPath = graph.inputs.length === 1 ? ["inputs", graph.inputs[0]!.name] : ["inputs"];
  return dataRules(spec, spec.loss, shape[1]!, ["output"], inputPath);
}
