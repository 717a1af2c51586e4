// compile(): the whole pipeline, one line per phase (docs/ARCHITECTURE.md). Each phase is a pure function.

import { autodiff } from "./autodiff.ts";
import type { BackendName } from "./backend.ts";
import { emit } from "./emit/module.ts";
import { emitWasm } from "./emit/wasm/index.ts";
import { fuse } from "./fuse.ts";
import type { Graph, TrainGraph } from "./ir/types.ts";
import { verify } from "./ir/verify.ts";
import { lower, type LowerOptions } from "./lower.ts";
import { plan, type BufferPlan } from "./plan.ts";
import type { Spec } from "./spec/types.ts";
import { NETSPEC_VERSION } from "./version.ts";

/** Every phase's artifact up to the buffer plan: what sizes are checked on, and emit reads. */
export interface Planned {
  /** After lower. */
  readonly forward: Graph;
  /** After autodiff. */
  readonly differentiated: TrainGraph;
  /** After fuse: what was planned and is emitted. */
  readonly graph: TrainGraph;
  readonly plan: BufferPlan;
}

export interface Compiled extends Planned {
  readonly code: string;
}

/** What the spec alone does not say, measured elsewhere (the CLI measures the data set). */
export type CompileOptions = LowerOptions;

/** Spec (already validated) → generated module source. `source` is the spec path for the header. */
export function compileSpec(spec: Spec, hash: string, source: string, options: CompileOptions = {}): Compiled {
  return emitPlanned(spec, planSpec(spec, options), hash, source);
}

/** The phases before emit: lower → autodiff → fuse → plan, each checked by verify. */
export function planSpec(spec: Spec, options: CompileOptions = {}): Planned {
  const forward = lower(spec, options);
  verify(forward, "lower");
  // A spec with no loss asks for the gradients of its output with respect to everything.
  const differentiated = autodiff(forward, { inputGrads: spec.loss === null });
  verify(differentiated, "autodiff");
  const graph = fuse(differentiated);
  verify(graph, "fuse");
  return { forward, differentiated, graph, plan: plan(graph) };
}

/** The last phase: the module's source from a planned spec. */
export function emitPlanned(spec: Spec, planned: Planned, hash: string, source: string): Compiled {
  const code = emit({ spec, graph: planned.graph, plan: planned.plan, hash, source, version: NETSPEC_VERSION });
  return { ...planned, code };
}

/** A file a backend writes for a spec: `<name><suffix>` in the output folder. */
export interface OutputFile {
  readonly suffix: string;
  readonly text: string;
}

/**
 * Each backend's files: js writes `<name>.ts`; wasm writes `<name>.wasm.ts` (the same Model,
 * kernels in WebAssembly) and `<name>.wat` (the kernels' text, assembled into it).
 */
export function emitBackend(spec: Spec, planned: Planned, hash: string, source: string, backend: BackendName): OutputFile[] {
  if (backend === "js") return [{ suffix: ".ts", text: emitPlanned(spec, planned, hash, source).code }];
  const { code, wat } = emitWasm({ spec, graph: planned.graph, plan: planned.plan, hash, source, version: NETSPEC_VERSION });
  return [
    { suffix: ".wasm.ts", text: code },
    { suffix: ".wat", text: wat },
  ];
}
