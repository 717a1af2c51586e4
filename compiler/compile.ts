// compile(): the whole pipeline, one line per phase (docs/ARCHITECTURE.md). Each phase is a pure function.

import { autodiff } from "./autodiff.ts";
import { emit } from "./emit/module.ts";
import { fuse } from "./fuse.ts";
import type { Graph, TrainGraph } from "./ir/types.ts";
import { verify } from "./ir/verify.ts";
import { lower, type LowerOptions } from "./lower.ts";
import { plan, type BufferPlan } from "./plan.ts";
import type { Spec } from "./spec/types.ts";
import { NETSPEC_VERSION } from "./version.ts";

export interface Compiled {
  /** After lower. */
  readonly forward: Graph;
  /** After autodiff. */
  readonly differentiated: TrainGraph;
  /** After fuse: what was planned and emitted. */
  readonly graph: TrainGraph;
  readonly plan: BufferPlan;
  readonly code: string;
}

/** What the spec alone does not say, measured elsewhere (the CLI measures the data set). */
export type CompileOptions = LowerOptions;

/** Spec (already validated) → generated module source. `source` is the spec path for the header. */
export function compileSpec(spec: Spec, hash: string, source: string, options: CompileOptions = {}): Compiled {
  const forward = lower(spec, options);
  verify(forward, "lower");
  // A spec with no loss asks for the gradients of its output with respect to everything.
  const differentiated = autodiff(forward, { inputGrads: spec.loss === null });
  verify(differentiated, "autodiff");
  const graph = fuse(differentiated);
  verify(graph, "fuse");
  const buffers = plan(graph);
  const code = emit({ spec, graph, plan: buffers, hash, source, version: NETSPEC_VERSION });
  return { forward, differentiated, graph, plan: buffers, code };
}
