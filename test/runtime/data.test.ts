import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DataSpec } from "../../compiler/spec/types.ts";
import {
  applyStandardizer, DataError, fitStandardizer, loadData, loadIris, loadMnist, oneHot, prepareData,
  splitDataset, stratifiedCounts, vectorTargets, type Dataset,
} from "../../runtime/data/index.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const base = { test_split: 0.5, stratified: true, standardize: true, limit: null } as const;
const IRIS: DataSpec = { kind: "builtin", builtin: "iris", ...base };

const perClass = (ds: Dataset): number[] => {
  const c = new Array<number>(ds.classNames?.length ?? 0).fill(0);
  ds.labels?.forEach((k) => c[k]++);
  return c;
};

describe("builtin datasets", () => {
  it("iris: 150 rows × 4 features, 3 classes of 50", () => {
    const ds = loadIris();
    expect([ds.rows, ds.inputSize, ds.features.length]).toEqual([150, 4, 600]);
    expect(ds.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(perClass(ds)).toEqual([50, 50, 50]);
    expect(Array.from(ds.features.slice(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });

  it("mnist: 28×28 pixels in [0,1], class-balanced prefix, deterministic", () => {
    const cpu0 = process.cpuUsage();
    const all = loadMnist();
    const cpu = process.cpuUsage(cpu0);
    const ms = (cpu.user + cpu.system) / 1000; // CPU time: a busy machine must not trip it
    expect(all.rows).toBe(10000);
    expect(all.inputSize).toBe(784);
    expect(perClass(all)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(all.features.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(ms).toBeLessThan(3000);
    const some = loadMnist(1000);
    expect(perClass(some)).toEqual(new Array(10).fill(100));
    expect(some.features).toEqual(all.features.subarray(0, 1000 * 784));
    expect(() => loadMnist(0)).toThrow(DataError);
    expect(() => loadMnist(10001)).toThrow(/limit must be an integer in 1\.\.10000/);
  });
});

describe("split", () => {
  it("stratifies iris 0.5 into exactly 25 per class per side", () => {
    const { train, test } = splitDataset(loadIris(), { testSplit: 0.5, stratified: true, seed: 1 });
    expect(perClass(train)).toEqual([25, 25, 25]);
    expect(test && perClass(test)).toEqual([25, 25, 25]);
  });

  it("is seeded, disjoint and complete", () => {
    const ds = loadIris();
    const a = splitDataset(ds, { testSplit: 0.2, stratified: false, seed: 5 });
    const b = splitDataset(ds, { testSplit: 0.2, stratified: false, seed: 5 });
    const c = splitDataset(ds, { testSplit: 0.2, stratified: false, seed: 6 });
    expect(a.test?.features).toEqual(b.test?.features);
    expect(a.test?.features).not.toEqual(c.test?.features);
    expect([a.train.rows, a.test?.rows]).toEqual([120, 30]);
    const key = (d: Dataset, r: number) => Array.from(d.features.subarray(r * 4, r * 4 + 4)).join();
    const rows = new Set<string>();
    for (const d of [a.train, a.test as Dataset]) for (let r = 0; r < d.rows; r++) rows.add(key(d, r) + d.labels?.[r]);
    // iris has one duplicated row (same features and class), so 149 distinct rows.
    expect(rows.size).toBe(149);
  });

  it("apportions uneven classes like StratifiedShuffleSplit", () => {
    expect(stratifiedCounts([50, 50, 50], 75)).toEqual([25, 25, 25]);
    expect(stratifiedCounts([10, 20, 70], 30)).toEqual([3, 6, 21]);
    expect(stratifiedCounts([5, 5, 5], 4)).toEqual([2, 1, 1]);
    expect(stratifiedCounts([1, 2, 7], 7).reduce((a, b) => a + b)).toBe(7);
  });

  it("test_split 0 gives no test set; bad fractions are errors", () => {
    const ds = loadIris();
    expect(splitDataset(ds, { testSplit: 0, stratified: true, seed: 1 }).test).toBeNull();
    expect(() => splitDataset(ds, { testSplit: 1, stratified: true, seed: 1 })).toThrow(/\[0, 1\)/);
    const tiny: Dataset = { ...ds, rows: 3, features: ds.features.slice(0, 12), labels: Int32Array.from([0, 0, 1]) };
    expect(() => splitDataset(tiny, { testSplit: 0.5, stratified: true, seed: 1 })).toThrow(/only 1 row/);
  });
});

describe("standardize", () => {
  it("fits on train and gives zero mean / unit std there", () => {
    const { train, test } = splitDataset(loadIris(), { testSplit: 0.3, stratified: true, seed: 2 });
    const st = fitStandardizer(train);
    const z = applyStandardizer(train, st);
    for (let j = 0; j < 4; j++) {
      let m = 0, v = 0;
      for (let r = 0; r < z.rows; r++) m += z.features[r * 4 + j] / z.rows;
      for (let r = 0; r < z.rows; r++) v += (z.features[r * 4 + j] - m) ** 2 / z.rows;
      expect(Math.abs(m)).toBeLessThan(1e-5);
      expect(Math.sqrt(v)).toBeCloseTo(1, 4);
    }
    const zt = applyStandardizer(test as Dataset, st);
    expect(zt.features[0]).toBeCloseTo(((test as Dataset).features[0] - st.mean[0]) / st.std[0], 5);
    expect(train.features[0]).not.toBe(z.features[0]); // a copy, not in place
  });

  it("maps a constant column to 0", () => {
    const ds: Dataset = {
      name: "c", rows: 3, inputSize: 1, features: Float32Array.from([2, 2, 2]),
      labels: null, targets: null, targetSize: 0, classNames: null,
    };
    expect(Array.from(applyStandardizer(ds, fitStandardizer(ds)).features)).toEqual([0, 0, 0]);
  });
});

describe("loadData / prepareData", () => {
  it("loads builtins, spec CSVs (relative to baseDir) and overrides", () => {
    expect(loadData(IRIS, { baseDir: "/nowhere" }).rows).toBe(150);
    const csv: DataSpec = { kind: "csv", csv: "data/blobs.csv", label: "species", targets: null, ...base };
    const ds = loadData(csv, { baseDir: FIXTURES });
    expect([ds.rows, ds.name]).toEqual([60, "data/blobs.csv"]);
    expect(loadData(csv, { baseDir: FIXTURES, override: "builtin:iris" }).rows).toBe(150);
    expect(loadData(IRIS, { baseDir: ".", override: "builtin:mnist" }).rows).toBe(10000);
    expect(() => loadData(IRIS, { baseDir: ".", override: "builtin:cifar" })).toThrow(/unknown builtin/);
    expect(() => loadData(IRIS, { baseDir: ".", inputSize: 5 })).toThrow(
      "builtin:iris: has 4 features but the spec's input is 5",
    );
  });

  it("prepareData splits with the spec seed and standardizes", () => {
    const a = prepareData(IRIS, { baseDir: ".", seed: 42 });
    const b = prepareData(IRIS, { baseDir: ".", seed: 42 });
    expect(a.train.features).toEqual(b.train.features);
    expect(perClass(a.train)).toEqual([25, 25, 25]);
    expect(a.standardizer?.mean).toHaveLength(4);
    const raw = prepareData({ ...IRIS, standardize: false }, { baseDir: ".", seed: 42 });
    expect(raw.standardizer).toBeNull();
  });

  it("shapes vector targets: one-hot labels, binary labels, regression targets", () => {
    expect(Array.from(oneHot(Int32Array.from([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
    const iris = loadIris();
    expect(vectorTargets(iris, 3).length).toBe(450);
    expect(() => vectorTargets(iris, 2)).toThrow(/3 classes but the model has 2 output/);
    const bin: Dataset = { ...iris, rows: 2, labels: Int32Array.from([1, 0]), classNames: ["n", "y"] };
    expect(Array.from(vectorTargets(bin, 1))).toEqual([1, 0]);
    const reg: Dataset = { ...iris, labels: null, targets: new Float32Array(300), targetSize: 2 };
    expect(() => vectorTargets(reg, 3)).toThrow(/2 target column\(s\) but the model has 3/);
  });
});
