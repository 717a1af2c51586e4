// The runtime driving real generated modules (not the hand-written fixture): the classic iris
// result, determinism, and bit-exact resume.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as iris from "../../generated/iris.ts";
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
