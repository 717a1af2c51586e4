import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../../runtime/checkpoint.ts";
import { DataError, type Dataset } from "../../runtime/data/index.ts";
import type { TrainingConfig } from "../../runtime/module.ts";
import { predict } from "../../runtime/predict.ts";
import { lrAt } from "../../runtime/schedule.ts";
import { train, trainSync } from "../../runtime/train.ts";
import { DivergenceError, Trainer } from "../../runtime/trainer.ts";
import { irisData } from "./fixtures/iris.ts";
import { linearModule, type FixtureLoss } from "./fixtures/linear.ts";

const data = irisData();
const dir = mkdtempSync(join(tmpdir(), "netspec-train-"));
const iris = (training: Partial<TrainingConfig> = {}, loss: FixtureLoss = "softmax_cross_entropy", batch = 15) =>
  linearModule({ inputSize: 4, outputSize: 3, batch, loss, l2: 1e-3, training });

describe("train", () => {
  it("learns iris (standardized) to ≥ 0.9 test accuracy", async () => {
    const r = await train(iris({ epochs: 60 }), data);
    expect(r.stopped).toBe("epochs");
    expect([r.epochs, r.steps, r.history.length]).toEqual([60, 300, 60]); // 75 rows / 15 = 5 steps per epoch
    expect(r.final?.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.final?.trainAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.history[59].loss).toBeLessThan(r.history[0].loss);
    expect(r.final?.regLoss).toBeGreaterThan(0);
    expect(r.final?.loss).toBeCloseTo((r.final?.dataLoss ?? 0) + (r.final?.regLoss ?? 0), 12);
    expect(r.stepsPerSecond).toBeGreaterThan(0);
  });

  it("drops the last partial batch and rejects a train set smaller than a batch", () => {
    const r = trainSync(iris({ epochs: 3 }, "softmax_cross_entropy", 20), data);
    expect(r.steps).toBe(9); // floor(75 / 20) = 3 per epoch
    expect(() => trainSync(iris({}, "softmax_cross_entropy", 80), data)).toThrow(
      "builtin:iris (train): 75 training rows but the batch is 80; lower train.batch or use more data",
    );
    expect(() => new Trainer(iris({}), data, iris().TRAINING)).not.toThrow();
  });

  it("is deterministic: same seed → identical weights, other seed → different", () => {
    const cfg = { epochs: 10, nesterov: true };
    const a = trainSync(iris(cfg), data).model.params;
    const b = trainSync(iris(cfg), data).model.params;
    const c = trainSync(iris(cfg), data, { seed: 7 }).model.params;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  // Every optimizer, each with state that must survive: moments, sums, the step count (Adam's
  // bias correction, the warmup), the velocity.
  const resumable: [string, Partial<TrainingConfig>][] = [
    ["sgd", { optimizer: { kind: "sgd", momentum: 0.9, nesterov: true } }],
    ["adam", { optimizer: { kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8 }, lr: 0.01, warmup: 70, clip_norm: 0.5 }],
    ["adamw", { optimizer: { kind: "adamw", beta1: 0.8, beta2: 0.99, eps: 1e-8, weight_decay: 0.05 }, lr: 0.01, warmup: 7 }],
    ["rmsprop", { optimizer: { kind: "rmsprop", rho: 0.9, eps: 1e-8, momentum: 0.5 }, lr: 0.01, clip_norm: 1 }],
    ["adagrad", { optimizer: { kind: "adagrad", eps: 1e-10, initial_accumulator: 0.1 }, lr: 0.1 }],
  ];
  it.each(resumable)("resumes bit-exactly from a mid-training checkpoint (%s)", async (name, opt) => {
    const cfg: Partial<TrainingConfig> = {
      epochs: 30, schedule: { kind: "cosine", epochs: 30, min_lr: 0.001 },
      early_stopping: { patience: 1000, restore_best: true }, ...opt,
    };
    const full = await train(iris(cfg), data);
    // Interrupt after epoch 12 via the abort signal, saving a checkpoint; then resume.
    const file = join(dir, "mid.nsck");
    const ac = new AbortController();
    const part = await train(iris(cfg), data, {
      save: file, signal: ac.signal, onEpoch: (m) => void (m.epoch === 12 && ac.abort()),
    });
    expect([part.stopped, part.epochs]).toEqual(["aborted", 12]);
    const mod = iris(cfg);
    const ck = loadCheckpoint(file, { specHash: mod.SPEC_HASH, paramCount: mod.PARAM_COUNT });
    expect([ck.epoch, ck.step, ck.optimizer.kind]).toEqual([12, 60, name]);
    const resumed = await train(mod, data, { resume: ck });
    expect([resumed.stopped, resumed.epochs, resumed.steps]).toEqual(["epochs", 30, 150]);
    expect(Buffer.from(resumed.model.params.buffer).equals(Buffer.from(full.model.params.buffer))).toBe(true);
    expect(resumed.history).toEqual(full.history);
  });

  it("saves every N epochs and at the end", () => {
    const file = join(dir, "every.nsck");
    const seen: number[] = [];
    trainSync(iris({ epochs: 7 }), data, {
      save: file, saveEvery: 3, onEpoch: (m) => void seen.push(m.epoch === 4 ? loadCheckpoint(file, null).epoch : -1),
    });
    expect(seen[3]).toBe(3);
    expect(loadCheckpoint(file, null).epoch).toBe(7);
  });

  it("stops at stop_below", () => {
    const r = trainSync(iris({ epochs: 500, stop_below: 0.3 }), data);
    expect(r.stopped).toBe("stop_below");
    expect(r.final?.loss).toBeLessThanOrEqual(0.3);
    expect(r.history[r.history.length - 2].loss).toBeGreaterThan(0.3);
    expect(r.epochs).toBeLessThan(500);
  });

  it("stops early on a rising test loss and restores the best weights", () => {
    // Test labels rotated by one class: the better the model, the worse the test loss.
    const test = data.test as Dataset;
    const wrong: Dataset = { ...test, labels: test.labels?.map((k) => (k + 1) % 3) ?? null };
    const es = { patience: 4, restore_best: true };
    const r = trainSync(iris({ epochs: 200, early_stopping: es }), { train: data.train, test: wrong });
    expect(r.stopped).toBe("early_stopping");
    const losses = r.history.map((m) => m.testLoss ?? NaN);
    const best = losses.indexOf(Math.min(...losses));
    expect(r.epochs).toBe(best + 1 + 4);
    expect(r.final?.testLoss).toBeCloseTo(losses[best], 6); // re-measured on the restored weights
    const kept = trainSync(iris({ epochs: 200, early_stopping: { ...es, restore_best: false } }), {
      train: data.train, test: wrong,
    });
    expect(kept.final?.testLoss).toBe(losses[losses.length - 1]);
  });

  it("stops when the callback says so", () => {
    const r = trainSync(iris({ epochs: 100 }), data, { onEpoch: (m) => (m.epoch === 3 ? "stop" : undefined) });
    expect([r.stopped, r.epochs]).toEqual(["callback", 3]);
  });

  it("throws DivergenceError naming epoch and step on a huge learning rate", () => {
    const run = () => trainSync(iris({ epochs: 50 }, "mse"), data, { lr: 1e4 });
    expect(run).toThrow(DivergenceError);
    expect(run).toThrow(/^training diverged at epoch \d+, step \d+: .* try a lower learning rate \(lr is 10000\)$/);
  });

  it("computes the exact test loss over a partial last chunk", () => {
    const mod = iris({ epochs: 3 });
    const test = data.test as Dataset;
    const t20: Dataset = { ...test, rows: 20, features: test.features.slice(0, 80), labels: test.labels?.slice(0, 20) ?? null };
    const tr = new Trainer(mod, { train: data.train, test: t20 }, mod.TRAINING);
    tr.runEpoch();
    const got = tr.evaluateTest();
    const { scores, classes } = predict(mod, tr.model.params, t20.features, 20);
    let ce = 0, correct = 0;
    for (let r = 0; r < 20; r++) {
      const z = Array.from(scores.subarray(r * 3, r * 3 + 3));
      const m = Math.max(...z);
      ce -= z[t20.labels?.[r] ?? 0] - m - Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      if (classes?.[r] === t20.labels?.[r]) correct++;
    }
    expect(got?.dataLoss).toBeCloseTo(ce / 20, 5);
    expect(got?.accuracy).toBe(correct / 20);
  });

  it("trains vector targets: mse on one-hot iris, sigmoid threshold on setosa-vs-rest", () => {
    const mse = trainSync(iris({ epochs: 40, lr: 0.02 }, "mse"), data);
    expect(mse.final?.trainAccuracy).toBeNull();
    expect(mse.final?.testLoss).toBeLessThan(0.15);
    const bin = (ds: Dataset): Dataset => ({ ...ds, labels: ds.labels?.map((k) => (k === 0 ? 1 : 0)) ?? null, classNames: ["other", "setosa"] });
    const mod = linearModule({ inputSize: 4, outputSize: 1, batch: 15, loss: "sigmoid_cross_entropy", training: { epochs: 20 } });
    const r = trainSync(mod, { train: bin(data.train), test: bin(data.test as Dataset) });
    expect(r.final?.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("rejects mismatched data and a checkpoint of another spec", () => {
    const wide = linearModule({ inputSize: 5, outputSize: 3, batch: 15 });
    expect(() => trainSync(wide, data)).toThrow(DataError);
    const narrow = linearModule({ inputSize: 4, outputSize: 2, batch: 15 });
    expect(() => trainSync(narrow, data)).toThrow(/3 classes but the model has 2 output/);
    const ck = new Trainer(iris(), data, iris().TRAINING).checkpoint();
    const other = linearModule({ inputSize: 4, outputSize: 3, batch: 15, specHash: "zzz" });
    expect(() => trainSync(other, data, { resume: ck })).toThrow(CheckpointError);
    // Another optimizer means another spec hash too; the message says what changed.
    const adam = linearModule({ inputSize: 4, outputSize: 3, batch: 15, specHash: "zzz", training: { optimizer: { kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8 } } });
    expect(() => trainSync(adam, data, { resume: ck })).toThrow("checkpoint was saved with sgd, but the spec's optimizer is adam");
    const file = join(dir, "sgd.nsck");
    saveCheckpoint(file, ck);
    expect(() => loadCheckpoint(file, { specHash: "zzz", optimizer: "adamw" })).toThrow(
      `${file}: checkpoint was saved with sgd, but the spec's optimizer is adamw`,
    );
  });

  it("follows the learning-rate schedule", () => {
    expect(lrAt({ kind: "step", every: 10, factor: 0.5 }, 0.1, 25)).toBeCloseTo(0.025, 15);
    expect(lrAt({ kind: "cosine", epochs: 10, min_lr: 0.01 }, 0.1, 0)).toBe(0.1);
    expect(lrAt({ kind: "cosine", epochs: 10, min_lr: 0.01 }, 0.1, 5)).toBeCloseTo(0.055, 12);
    expect(lrAt({ kind: "cosine", epochs: 10, min_lr: 0.01 }, 0.1, 20)).toBeCloseTo(0.01, 15);
    const r = trainSync(iris({ epochs: 5, schedule: { kind: "step", every: 2, factor: 0.1 } }), data);
    expect(r.history.map((m) => m.lr)).toEqual([0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1 ** 2]);
  });
});

describe("predict", () => {
  it("scores any number of rows in BATCH chunks and matches the model", () => {
    const r = trainSync(iris({ epochs: 30 }), data);
    const test = data.test as Dataset;
    const p = predict(iris(), r.model.params, test.features, test.rows);
    expect(p.scores.length).toBe(75 * 3);
    const acc = Array.from(p.classes ?? []).reduce((s, k, i) => s + (k === test.labels?.[i] ? 1 : 0), 0) / 75;
    expect(acc).toBeCloseTo(r.final?.testAccuracy ?? -1, 10);
    const one = predict(iris(), r.model.params, test.features.subarray(4, 8), 1);
    expect(one.scores).toEqual(p.scores.subarray(3, 6));
    expect(() => predict(iris(), r.model.params, test.features, 7)).toThrow(/not 7 rows × 4 inputs/);
  });
});
