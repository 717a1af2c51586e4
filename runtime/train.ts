// train(): the training loop around a compiled module. Defaults come from the module's TRAINING
// (the spec); options override the few things a command line would. Each epoch: seeded
// reshuffle, full batches only (the remainder is dropped, like tf.data's drop_remainder;
// reshuffling means every row is still used), test evaluation, then the stopping rules.
//
// Two drivers share one Trainer: train() is async and yields to the event loop about every
// 50 ms so an AbortSignal (Ctrl+C) can stop it between epochs; trainSync() never yields.

import { saveCheckpoint, type Checkpoint, type DataMeta } from "./checkpoint.ts";
import type { Dataset } from "./data/index.ts";
import type { CompiledModule, Model, TrainingConfig } from "./module.ts";
import { Trainer, type EpochMetrics } from "./trainer.ts";

export type StopReason = "epochs" | "stop_below" | "early_stopping" | "callback" | "aborted";

/** Where training is, within an epoch: what a progress bar shows. */
export interface StepProgress {
  /** The epoch under way (1-based) and its batches done so far. */
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** Steps done in all, and the seconds spent in them. */
  readonly steps: number;
  readonly trainSeconds: number;
}

/** How often onProgress is called within an epoch, at most. */
export const PROGRESS_MS = 100;

export interface TrainOptions {
  /** Total epochs (a resumed run counts the checkpoint's epochs too). */
  readonly epochs?: number;
  /** Base learning rate; the schedule scales it. */
  readonly lr?: number;
  readonly seed?: number;
  /** Called after every epoch; return "stop" to end training. */
  readonly onEpoch?: (m: EpochMetrics) => void | "stop";
  /** Called within an epoch at most every PROGRESS_MS (a progress bar). */
  readonly onProgress?: (p: StepProgress) => void;
  /** Continue from this checkpoint (params, optimizer slots, counters, RNG): bit-exact. */
  readonly resume?: Checkpoint | null;
  /** Checkpoint path, written at the end (whatever the stop reason)… */
  readonly save?: string | null;
  /** …and after every `saveEvery` epochs (0/undefined: only at the end). */
  readonly saveEvery?: number;
  /** Stored in checkpoints so prediction can preprocess the same way. */
  readonly dataMeta?: DataMeta | null;
  /** Train this model instead of a new mod.createModel(), e.g. runtime/threads' threaded model. */
  readonly model?: Model;
  /** Checked between epochs (train() only). */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly model: Model;
  readonly stopped: StopReason;
  /** Epochs completed in total (including a resumed checkpoint's). */
  readonly epochs: number;
  readonly steps: number;
  readonly history: readonly EpochMetrics[];
  /** Wall time of this call. */
  readonly seconds: number;
  /** Optimizer steps of this call per second of training (evaluation excluded). */
  readonly stepsPerSecond: number;
  /** The last epoch's metrics, or null if no epoch ran. When early stopping restored the
   *  best weights, testLoss/testAccuracy are re-measured on them. */
  readonly final: EpochMetrics | null;
}

/** The module's training config with the options applied. */
export function resolveConfig(mod: CompiledModule, opts: TrainOptions): TrainingConfig {
  const t = mod.TRAINING;
  return { ...t, epochs: opts.epochs ?? t.epochs, lr: opts.lr ?? t.lr, seed: opts.seed ?? t.seed };
}

/** Runs the stopping rules after an epoch; null to go on. */
function decide(tr: Trainer, m: EpochMetrics, opts: TrainOptions): StopReason | null {
  const cfg = tr.cfg;
  const fromCallback = opts.onEpoch?.(m) === "stop";
  if (cfg.stop_below !== null && m.loss <= cfg.stop_below) return "stop_below";
  const es = cfg.early_stopping;
  if (es && tr.best && tr.epoch - tr.best.epoch >= es.patience) return "early_stopping";
  if (fromCallback) return "callback";
  if (tr.epoch >= cfg.epochs) return "epochs";
  return null;
}

function finish(tr: Trainer, stopped: StopReason, opts: TrainOptions, t0: number, start: { step: number; seconds: number }): TrainResult {
  let final = tr.history.length > 0 ? tr.history[tr.history.length - 1] : null;
  const es = tr.cfg.early_stopping;
  if (stopped === "early_stopping" && es?.restore_best && tr.bestParams && tr.bestState) {
    // Like Keras' restore_best_weights: only when early stopping ended the run.
    tr.model.params.set(tr.bestParams);
    tr.model.state.set(tr.bestState);
    const t = tr.evaluateTest();
    if (final && t) final = { ...final, testLoss: t.loss, testAccuracy: t.accuracy };
  }
  if (opts.save) saveCheckpoint(opts.save, tr.checkpoint());
  const steps = tr.step - start.step, stepSeconds = tr.trainSeconds - start.seconds;
  return {
    model: tr.model, stopped, epochs: tr.epoch, steps: tr.step, history: tr.history,
    seconds: (performance.now() - t0) / 1000,
    stepsPerSecond: stepSeconds > 0 ? steps / stepSeconds : 0, final,
  };
}

/**
 * A generator over epochs so both drivers share the loop. It yields after each epoch, and
 * within an epoch at most every PROGRESS_MS, after telling onProgress where training is.
 */
function* epochs(tr: Trainer, opts: TrainOptions): Generator<"step" | "epoch", StopReason> {
  if (tr.epoch >= tr.cfg.epochs) return "epochs";
  let lastProgress = performance.now();
  for (;;) {
    const lr = tr.beginEpoch();
    let t0 = performance.now();
    for (let b = 0; b < tr.batches; b++) {
      tr.trainBatch(b, lr);
      if (!opts.onProgress) continue;
      const now = performance.now();
      if (now - lastProgress < PROGRESS_MS) continue;
      tr.trainSeconds += (now - t0) / 1000;
      opts.onProgress({ epoch: tr.epoch + 1, batch: b + 1, batches: tr.batches, steps: tr.step, trainSeconds: tr.trainSeconds });
      yield "step";
      // Restart the clock after the yield: time the driver spends elsewhere is not training.
      lastProgress = t0 = performance.now();
    }
    tr.trainSeconds += (performance.now() - t0) / 1000;
    const m = tr.endEpoch(lr);
    const reason = decide(tr, m, opts);
    if (reason) return reason;
    if (opts.save && opts.saveEvery && tr.epoch % opts.saveEvery === 0) saveCheckpoint(opts.save, tr.checkpoint());
    yield "epoch";
  }
}

/** Lets other work run: setImmediate under Node; in a browser (which has none) a message
 *  round trip, since setTimeout(0) is clamped to 4 ms there. */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise<void>((res) => setImmediate(res));
  return new Promise<void>((res) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => (channel.port1.close(), res());
    channel.port2.postMessage(null);
  });
}

export async function train(
  mod: CompiledModule, data: { train: Dataset; test: Dataset | null }, opts: TrainOptions = {},
): Promise<TrainResult> {
  const t0 = performance.now();
  const tr = new Trainer(mod, data, resolveConfig(mod, opts), opts.resume ?? null, opts.dataMeta ?? null, opts.model);
  const start = { step: tr.step, seconds: tr.trainSeconds };
  const it = epochs(tr, opts);
  let lastYield = performance.now();
  for (;;) {
    const r = it.next();
    if (r.done) return finish(tr, r.value, opts, t0, start);
    if (performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    // An abort takes effect between epochs, so a checkpoint never holds half an epoch.
    if (r.value === "epoch" && opts.signal?.aborted) return finish(tr, "aborted", opts, t0, start);
  }
}

export function trainSync(
  mod: CompiledModule, data: { train: Dataset; test: Dataset | null }, opts: TrainOptions = {},
): TrainResult {
  const t0 = performance.now();
  const tr = new Trainer(mod, data, resolveConfig(mod, opts), opts.resume ?? null, opts.dataMeta ?? null, opts.model);
  const start = { step: tr.step, seconds: tr.trainSeconds };
  const it = epochs(tr, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return finish(tr, r.value, opts, t0, start);
    if (r.value === "epoch" && opts.signal?.aborted) return finish(tr, "aborted", opts, t0, start);
  }
}
