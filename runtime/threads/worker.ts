// A shard thread: imports its shard module, then runs one shard step each time the main
// thread bumps the step counter, and counts itself done. Blocking in Atomics.wait between
// steps costs no CPU and wakes in microseconds; nothing is posted per step.

import { parentPort, workerData } from "node:worker_threads";
import type { CompiledModule } from "../module.ts";
import { CTRL, sharedViews, type SharedSizes } from "./layout.ts";
import { shardRunner, type FullShape } from "./shard.ts";

export interface WorkerInit {
  readonly sab: SharedArrayBuffer;
  readonly sizes: SharedSizes;
  readonly full: FullShape;
  readonly moduleUrl: string;
  readonly shard: number;
}

const init = workerData as WorkerInit;
const mod = (await import(init.moduleUrl)) as CompiledModule;
const shared = sharedViews(init.sab, init.sizes);
const run = shardRunner(mod.createModel(), mod.INPUTS, init.full, shared, init.shard, init.sizes.threads);
const ctrl = shared.ctrl;
parentPort!.postMessage("ready");

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.step, seen);
  const step = Atomics.load(ctrl, CTRL.step);
  if (step === seen) continue;
  seen = step;
  if (Atomics.load(ctrl, CTRL.stop) !== 0) break;
  try {
    run();
  } catch (e) {
    process.stderr.write(`netspec: shard ${init.shard} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    Atomics.store(ctrl, CTRL.failed, 1);
  }
  Atomics.add(ctrl, CTRL.done, 1);
  Atomics.notify(ctrl, CTRL.done);
}
