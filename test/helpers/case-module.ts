// A hand-built case (test/helpers/math-graphs.ts, conv-graphs.ts) compiled the way compile()
// compiles a spec — autodiff, fuse, plan, emit — and imported, then stepped once on feeds.
// Shared by math-ops.test.ts and conv-ops.test.ts.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { autodiff } from "../../compiler/autodiff.ts";
import type { BackendName } from "../../compiler/backend.ts";
import { emit } from "../../compiler/emit/module.ts";
import { emitWasm } from "../../compiler/emit/wasm/index.ts";
import { fuse } from "../../compiler/fuse.ts";
import type { Feeds } from "../../compiler/interpret.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { plan } from "../../compiler/plan.ts";
import type { CompiledModule, Model } from "../../runtime/module.ts";
import { dir } from "./gradcheck.ts";
import type { MathCase } from "./math-graphs.ts";
import { layer, makeSpec } from "./specs.ts";

export interface CompiledCase {
  readonly graph: ReturnType<typeof fuse>;
  readonly buffers: ReturnType<typeof plan>;
  readonly mod: CompiledModule;
  /** The module's file, for type-checking it. */
  readonly file: string;
}

let count = 0;

/** `prefix` names the module files (`math_3.ts`). */
export async function compileCase(c: MathCase, prefix: string, backend: BackendName = "js"): Promise<CompiledCase> {
  const graph = fuse(autodiff(c.graph));
  verify(graph, "fuse");
  const buffers = plan(graph);
  // The spec only supplies what emit reads besides the graph (batch, name, loss for the header constants).
  const spec = makeSpec({ name: prefix, layers: [layer(1)], loss: { op: "mse", attrs: {} }, train: { batch: c.batch, epochs: 1, shuffle: false, stop_below: null, early_stopping: null } });
  const file = join(dir, `${prefix}_${++count}.ts`);
  const input = { spec, graph, plan: buffers, hash: "test", source: `${prefix}.yaml`, version: "test" };
  writeFileSync(file, backend === "wasm" ? emitWasm(input).code : emit(input));
  return { graph, buffers, mod: (await import(pathToFileURL(file).href)) as CompiledModule, file };
}

/** Feeds in, then forward, loss and backward: the model and its loss. */
export function stepCase({ graph, buffers, mod }: CompiledCase, feeds: Feeds): { model: Model; loss: number } {
  const model = mod.createModel();
  graph.params.forEach((p, k) => model.params.set(feeds.params[k]!, buffers.slots[p.value]!.offset));
  graph.inputs.forEach((p, k) => model.input.set(feeds.inputs[k]!, buffers.slots[p.value]!.offset));
  graph.targets.forEach((p, k) => model.target.set(feeds.targets[k]!, buffers.slots[p.value]!.offset));
  model.forward();
  const loss = model.loss();
  model.backward();
  return { model, loss };
}
