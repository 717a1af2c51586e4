// A Model whose training step runs on N threads (`train --threads N`). The batch is split in
// N equal row ranges; shard 0 runs on the calling thread, shards 1…N−1 in worker threads,
// each with the spec compiled for batch/N rows. forward() runs every shard's forward, loss
// and backward (one round trip per step, so the threads synchronize once); lossTerms() and
// backward() combine their results in a fixed order (shard 0, 1, …), in float64, rounded
// once: a given thread count gives the same bits on every run. With a mean loss the
// gradient is the mean of the shards' (each shard's regularizer gradient is the same, so
// the mean keeps it once); with a sum loss it is their sum, and only shard 0 carries the
// regularizer (the caller compiles the other shards without it). Inference (infer,
// evaluate) runs the full-batch module on the calling thread.

import { Worker } from "node:worker_threads";
import type { CompiledModule, Model } from "../module.ts";
import { CTRL, sharedBytes, sharedViews, type SharedSizes } from "./layout.ts";
import { shardRunner, type FullShape } from "./shard.ts";
import type { WorkerInit } from "./worker.ts";

export interface ThreadedModel extends Model {
  readonly threads: number;
  /** Stops the workers (the model is unusable afterwards). */
  close(): Promise<void>;
}

export interface Shards {
  /** The spec compiled for BATCH/threads rows, with the regularizer: run by shard 0. */
  readonly lead: CompiledModule;
  /** URL of the module shards 1…N−1 import (the lead's own, or its penalty-free copy for a sum loss). */
  readonly restUrl: string;
}

export class ShardingError extends Error {
  override name = "ShardingError";
}

export async function createThreadedModel(mod: CompiledModule, shards: Shards, threads: number): Promise<ThreadedModel> {
  const lead = shards.lead;
  if (!(Number.isInteger(threads) && threads >= 2)) throw new ShardingError(`a threaded model needs 2 or more threads (got ${threads})`);
  if (mod.LOSS === null) throw new ShardingError(`${mod.SPEC_NAME} has no loss: there is no batch to split`);
  if (mod.STATE_COUNT > 0) throw new ShardingError(`${mod.SPEC_NAME} keeps state across steps: every thread would update its own copy`);
  if (!Number.isInteger(lead.BATCH) || lead.BATCH * threads !== mod.BATCH || lead.PARAM_COUNT !== mod.PARAM_COUNT || lead.SPEC_HASH !== mod.SPEC_HASH || lead.LOSS_ROWS !== mod.LOSS_ROWS) {
    throw new ShardingError(`the shard module (batch ${lead.BATCH}) is not ${mod.SPEC_NAME} split ${threads} ways (batch ${mod.BATCH})`);
  }
  const full = mod.createModel();
  const sizes: SharedSizes = {
    threads, params: mod.PARAM_COUNT, input: full.input.length, target: full.target.length,
    targetIsClass: full.target instanceof Int32Array, output: full.output.length,
  };
  const sab = new SharedArrayBuffer(sharedBytes(sizes));
  const shared = sharedViews(sab, sizes);
  const shape: FullShape = {
    batch: mod.BATCH, inputs: mod.INPUTS.map((l) => ({ offset: l.offset, size: l.size })),
    targetRow: full.target.length / mod.BATCH, outputSize: mod.OUTPUT_SIZE,
  };
  const leadModel = lead.createModel();
  const runLead = shardRunner(leadModel, lead.INPUTS, shape, shared, 0, threads);

  const workers: Worker[] = [];
  try {
    for (let k = 1; k < threads; k++) {
      const init: WorkerInit = { sab, sizes, full: shape, moduleUrl: shards.restUrl, shard: k };
      const w = new Worker(new URL("./boot.mjs", import.meta.url), { workerData: init });
      workers.push(w);
      await new Promise<void>((resolve, reject) => {
        w.once("message", () => resolve());
        w.once("error", reject);
        w.once("exit", (code) => reject(new ShardingError(`shard worker ${k} exited (code ${code}) before it was ready`)));
      });
      w.removeAllListeners("exit");
      w.removeAllListeners("error");
      w.unref(); // a finished program exits without close()
    }
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }

  const ctrl = shared.ctrl, loss = shared.loss, lossParts = new Float64Array(2);
  const grads = new Float32Array(mod.PARAM_COUNT), own = leadModel.grads, others = shared.grads.slice(1);
  const scale = mod.LOSS_ROWS === "mean" ? 1 / threads : 1;
  const inputs = Object.fromEntries(mod.INPUTS.map((l) => [l.name, shared.input.subarray(l.offset, l.offset + l.size)]));
  let closed = false;

  function forward(): void {
    if (closed) throw new ShardingError("the threaded model was closed");
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.add(ctrl, CTRL.step, 1);
    Atomics.notify(ctrl, CTRL.step);
    runLead();
    for (let d = Atomics.load(ctrl, CTRL.done); d < threads - 1; d = Atomics.load(ctrl, CTRL.done)) Atomics.wait(ctrl, CTRL.done, d);
    if (Atomics.load(ctrl, CTRL.failed) !== 0) throw new ShardingError("a shard worker failed (its error is on stderr)");
  }

  function lossTerms(): void {
    let data = 0;
    for (let k = 0; k < threads; k++) data += loss[2 * k];
    lossParts[0] = data * scale;
    lossParts[1] = loss[1]; // shard 0's penalty: the whole model's
  }

  function backward(): void {
    const n = grads.length, m = others.length;
    if (m === 1) {
      // Two threads (the common case): one flat loop, no inner loop over shards.
      const other = others[0]!;
      for (let i = 0; i < n; i++) grads[i] = (own[i] + other[i]) * scale;
      return;
    }
    for (let i = 0; i < n; i++) {
      let s = own[i];
      for (let k = 0; k < m; k++) s += others[k]![i];
      grads[i] = s * scale;
    }
  }

  /** Inference runs the full-batch module here, on the shared params and rows. */
  function onFull(): void {
    full.params.set(shared.params);
    full.input.set(shared.input);
    full.target.set(shared.target);
  }

  return {
    threads, params: shared.params, grads, state: full.state, input: shared.input, inputs, inputGrads: {},
    target: shared.target, output: shared.output, lossParts,
    init(seed) {
      full.init(seed);
      shared.params.set(full.params);
    },
    forward,
    lossTerms,
    loss() {
      lossTerms();
      return lossParts[0] + lossParts[1];
    },
    backward,
    infer(rows) {
      onFull();
      full.infer(rows);
      shared.output.set(full.output);
    },
    evaluate(rows) {
      onFull();
      full.evaluate(rows);
      shared.output.set(full.output);
      lossParts.set(full.lossParts);
    },
    async close() {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, CTRL.stop, 1);
      Atomics.add(ctrl, CTRL.step, 1);
      Atomics.notify(ctrl, CTRL.step);
      // ref(): an unref'd worker's exit would not keep the event loop alive to be awaited.
      await Promise.all(workers.map((w) => new Promise((resolve) => {
        if (w.threadId < 0) return resolve(0);
        w.ref();
        w.once("exit", resolve);
      })));
    },
  };
}
