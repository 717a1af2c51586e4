// The runtime driving real generated modules (not the hand-written fixture): the classic iris
// result, determinism, and bit-exact resume.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as iris from "../../generated/iris.ts";
import * as irisAdamw from "../../generated/iris_adamw.ts";
import { loadCheckpoint, prepareData, saveCheckpoint, trainSync } from "../../runtime/index.ts";
import type { CompiledModule } from "../../runtime/module.ts";

const mod: CompiledModule = iris;
const irisData = () =>
  prepareData({ kind: "builtin", builtin: "iris", test_split: 0.5, stratified: true, standardize: false, limit: null }, { baseDir: "specs", seed: 1 });
const dir = mkdtempSync(join(tmpdir(), "netspec-gen-"));

describe("generated/iris.ts with the runtime", () => {
  it("reaches the classic iris result (≥ 95% test accuracy on the 75/75 stratified split)", () => {
    const data = irisData();
    expect([data.train.rows, data.test!.rows]).toEqual([75, 75]);
    const result = trainSync(mod, data, { seed: 1 });
    expect(result.final!.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.final!.regLoss).toBeGreaterThan(0);
    expect(result.stopped).toBe("epochs");
  });

  it("gives byte-identical checkpoints for the same seed", () => {
    const files = [1, 2].map((k) => {
      const r = trainSync(mod, irisData(), { seed: 5, epochs: 200, save: join(dir, `same-${k}.ckpt`) });
      expect(r.epochs).toBe(200);
      return readFileSync(join(dir, `same-${k}.ckpt`));
    });
    expect(files[0]!.equals(files[1]!)).toBe(true);
    const other = trainSync(mod, irisData(), { seed: 6, epochs: 200 });
    expect(Buffer.from(other.model.params.buffer).equals(Buffer.from(loadCheckpoint(join(dir, "same-1.ckpt"), mod.SPEC_HASH).params.buffer))).toBe(false);
  });

  it("resumes bit-exactly from a mid-training checkpoint", () => {
    const whole = trainSync(mod, irisData(), { seed: 3, epochs: 300 });
    const half = join(dir, "half.ckpt");
    trainSync(mod, irisData(), { seed: 3, epochs: 120, save: half });
    const resumed = trainSync(mod, irisData(), { seed: 3, epochs: 300, resume: loadCheckpoint(half, mod.SPEC_HASH) });
    expect(resumed.epochs).toBe(300);
    expect(Buffer.from(resumed.model.params.buffer).equals(Buffer.from(whole.model.params.buffer))).toBe(true);
  });

  it("refuses a checkpoint saved from another spec", () => {
    const ck = loadCheckpoint(join(dir, "half.ckpt"), mod.SPEC_HASH);
    saveCheckpoint(join(dir, "other.ckpt"), { ...ck, specHash: "0".repeat(64) });
    expect(() => loadCheckpoint(join(dir, "other.ckpt"), mod.SPEC_HASH)).toThrow(/different spec/);
  });
});

describe("generated/iris_adamw.ts (AdamW, warmup into cosine, clip_norm) with the runtime", () => {
  const adamw: CompiledModule = irisAdamw;
  const data = () =>
    prepareData({ kind: "builtin", builtin: "iris", test_split: 0.5, stratified: true, standardize: true, limit: null }, { baseDir: "specs", seed: 3 });

  it("names its optimizer in TRAINING and trains iris to ≥ 93% test accuracy", () => {
    expect(adamw.TRAINING).toMatchObject({
      optimizer: { kind: "adamw", beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 }, lr: 0.01, warmup: 50, clip_norm: 1,
      schedule: { kind: "cosine", epochs: 150, min_lr: 0.0005 },
    });
    const r = trainSync(adamw, data());
    expect(r.steps).toBe(750);
    expect(r.final!.testAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(r.history[0]!.lr).toBeCloseTo(0.01 * (5 / 50), 12); // warmup: the first epoch's last step is step 5
  });

  it("resumes bit-exactly from a checkpoint taken during the warmup", () => {
    const whole = trainSync(adamw, data(), { epochs: 40 });
    const early = join(dir, "adamw.ckpt");
    trainSync(adamw, data(), { epochs: 7, save: early }); // step 35 of a 50-step warmup
    const ck = loadCheckpoint(early, { specHash: adamw.SPEC_HASH, optimizer: "adamw" });
    expect(Object.keys(ck.optimizer.slots)).toEqual(["m", "v"]);
    const resumed = trainSync(adamw, data(), { epochs: 40, resume: ck });
    expect(Buffer.from(resumed.model.params.buffer).equals(Buffer.from(whole.model.params.buffer))).toBe(true);
  });
});
