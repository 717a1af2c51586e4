// The material's numpy two-layer network (specs/numpy_two_layer.yaml), trained as written:
// random data of its own, summed squared error, plain SGD for 2000 iterations. The same net
// in numpy falls about 5,000×; the issue asks for at least 100×.
import { describe, expect, it } from "vitest";
import * as numpyNet from "../../generated/numpy_two_layer.ts";
import { loadSpec } from "../../compiler/spec/index.ts";
import { prepareData, trainSync } from "../../runtime/index.ts";
import type { CompiledModule } from "../../runtime/module.ts";

const mod: CompiledModule = numpyNet;

describe("specs/numpy_two_layer.yaml", () => {
  it("trains as written on its random data, and the loss falls by at least 100×", () => {
    const loaded = loadSpec("specs/numpy_two_layer.yaml");
    if (!loaded.ok || !loaded.spec.data) throw new Error("specs/numpy_two_layer.yaml should be valid and name its data");
    const shape = { inputSize: mod.INPUT_SIZE, outputSize: mod.OUTPUT_SIZE, target: "vector" as const };
    const data = prepareData(loaded.spec.data, { baseDir: "specs", seed: loaded.spec.seed, shape });
    expect([data.train.rows, data.test]).toEqual([64, null]);
    expect(data.train.targets!.length).toBe(64 * 10);
    const result = trainSync(mod, data);
    expect(result.epochs).toBe(2000);
    const first = result.history[0]!.loss;
    const last = result.final!.loss;
    expect(first / last).toBeGreaterThanOrEqual(100);
  }, 120_000);

  it("random data is standard normal, seeded, and labels are uniform over the outputs for a class loss", () => {
    const d = prepareData({ kind: "random", rows: 4000, seed: 7, test_split: 0, stratified: false, standardize: false, limit: null }, { baseDir: ".", seed: 1, shape: { inputSize: 5, outputSize: 3, target: "class" } });
    const x = d.train.features;
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const counts = [0, 0, 0];
    d.train.labels!.forEach((k) => counts[k]!++);
    for (const c of counts) expect(Math.abs(c / 4000 - 1 / 3)).toBeLessThan(0.03);
    const again = prepareData({ kind: "random", rows: 4000, seed: 7, test_split: 0, stratified: false, standardize: false, limit: null }, { baseDir: ".", seed: 1, shape: { inputSize: 5, outputSize: 3, target: "class" } });
    expect(Buffer.from(again.train.features.buffer).equals(Buffer.from(x.buffer))).toBe(true);
  });
});
