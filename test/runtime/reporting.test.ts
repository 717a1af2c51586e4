// What training reports besides the loss: the confusion matrix with precision and recall,
// the learning-rate panel of the plot, and progress within an epoch.
import { describe, expect, it } from "vitest";
import { duration } from "../../compiler/cli/progress.ts";
import { confusion, confusionText, prepareData, trainSync, type StepProgress } from "../../runtime/index.ts";
import { svgPlot } from "../../runtime/plot.ts";
import type { EpochMetrics } from "../../runtime/trainer.ts";
import * as iris from "../../generated/iris.ts";

describe("confusion matrix", () => {
  it("counts truth × prediction, with per-class precision and recall", () => {
    const c = confusion([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 1, 2], 3);
    expect(c.matrix).toEqual([[1, 1, 0], [0, 2, 0], [0, 1, 1]]);
    expect(c.recall).toEqual([0.5, 1, 0.5]);
    expect(c.precision).toEqual([1, 0.5, 1]);
    const text = confusionText(c, ["a", "b", "c"]);
    expect(text.split("\n")[0]).toMatch(/^truth \\ predicted\s+a\s+b\s+c\s+recall$/);
    expect(text.split("\n")[1]).toMatch(/^a\s+1\s+1\s+0\s+50\.0%$/);
  });

  it("says n/a for a class never predicted or never present", () => {
    const c = confusion([0, 0], [0, 0], 2);
    expect([c.precision[1], c.recall[1]]).toEqual([null, null]);
  });
});

describe("plot", () => {
  const metrics = (epoch: number, lr: number): EpochMetrics => ({ epoch, loss: 1 / epoch, dataLoss: 1 / epoch, regLoss: 0, trainAccuracy: null, testLoss: null, testAccuracy: null, lr });
  it("adds a learning-rate panel only when the rate changes", () => {
    expect(svgPlot([1, 2, 3].map((e) => metrics(e, 0.1)), "t")).not.toContain("learning rate");
    expect(svgPlot([1, 2, 3].map((e) => metrics(e, 0.1 / e)), "t")).toContain("learning rate");
  });
});

describe("progress within an epoch", () => {
  it("is reported at most every 100 ms, with the batch under way", () => {
    const data = prepareData({ kind: "builtin", builtin: "iris", test_split: 0.5, stratified: true, standardize: false, limit: null }, { baseDir: "specs", seed: 1 });
    const seen: StepProgress[] = [];
    const t0 = performance.now();
    trainSync(iris, data, { epochs: 20_000, onProgress: (p) => seen.push(p) }); // about half a second
    const seconds = (performance.now() - t0) / 1000;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    for (const p of seen) expect(p.batch).toBeLessThanOrEqual(p.batches);
    expect(seen.map((p) => p.steps)).toEqual([...seen.map((p) => p.steps)].sort((a, b) => a - b));
  });

  it("formats an ETA", () => {
    expect([duration(4.4), duration(65), duration(Infinity)]).toEqual(["4s", "1:05", "?"]);
  });
});
