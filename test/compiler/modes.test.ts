// The generated entry points beyond forward/backward: infer(rows) and evaluate(rows), which
// take the loss over only the first rows rows (a last partial chunk of test data).
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../compiler/backend.ts";
import { lossOf } from "../../compiler/interpret.ts";
import type { Spec } from "../../compiler/spec/types.ts";
import { load, randomFeeds } from "../helpers/gradcheck.ts";
import { layer, makeSpec } from "../helpers/specs.ts";

const losses: [string, Spec["loss"]][] = [
  ["softmax cross-entropy", { op: "softmax_cross_entropy", attrs: {} }],
  ["hinge", { op: "hinge", attrs: { margin: 1 } }],
  ["mse", { op: "mse", attrs: {} }],
  ["squared error, summed", { op: "squared_error", attrs: { reduction: "sum" } }],
  ["sigmoid cross-entropy", { op: "sigmoid_cross_entropy", attrs: {} }],
];

// On the wasm backend too: its kernels compute every row, and the loss reads only the first `rows`.
describe.each(BACKENDS)("evaluate(rows), %s backend", (backend) => {
  it.each(losses)("%s: the loss of the first rows rows, as the interpreter computes it on those rows alone", async (_name, loss) => {
    const batch = 6;
    const rows = 4;
    const spec = makeSpec({ layers: [layer(5, "tanh"), layer(3)], loss, regularizer: { l1: 0, l2: 0.01 }, train: { batch, epochs: 1, shuffle: false, stop_below: null, early_stopping: null } });
    const { compiled, mod } = await load(spec, backend);
    const { graph } = compiled;
    const feeds = randomFeeds(graph, 3);
    const model = mod.createModel();
    graph.params.forEach((p, k) => model.params.set(feeds.params[k]!, compiled.plan.slots[p.value]!.offset));
    model.input.set(feeds.inputs[0]!);
    model.target.set(feeds.targets[0]!);
    model.evaluate(rows);

    // The same network compiled for a batch of exactly `rows`, fed those rows.
    const small = (await load({ ...spec, train: { ...spec.train, batch: rows } })).compiled.graph;
    const perRow = (data: Float64Array) => data.length / batch;
    const firstRows = (data: Float64Array) => data.subarray(0, rows * perRow(data));
    const want = lossOf(small, { params: feeds.params, inputs: feeds.inputs.map(firstRows), targets: feeds.targets.map(firstRows) });
    expect(model.lossParts[0] + model.lossParts[1]).toBeCloseTo(want, 5);
    expect(mod.LOSS_ROWS).toBe(loss!.op === "squared_error" ? "sum" : "mean");
  });

  it("infer(rows) refuses a row count outside 1…BATCH", async () => {
    const { mod } = await load(makeSpec({ layers: [layer(3)] }), backend);
    const model = mod.createModel();
    for (const bad of [0, 6, 2.5, NaN]) expect(() => model.infer(bad)).toThrow(RangeError);
    expect(() => model.evaluate(5)).not.toThrow();
  });
});
