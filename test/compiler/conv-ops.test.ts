// The image ops (conv2d, max_pool, avg_pool, reshape) on the odd shapes of
// test/helpers/conv-graphs.ts: float64 gradients against central differences, the generated
// float32 code (both kernel forms) against the interpreter; then ties, shapes and errors.
import { describe, expect, it } from "vitest";
import { autodiff } from "../../compiler/autodiff.ts";
import { BACKENDS } from "../../compiler/backend.ts";
import { interpret, lossOf } from "../../compiler/interpret.ts";
import { verify } from "../../compiler/ir/verify.ts";
import type { Value } from "../../compiler/ir/types.ts";
import { axis, windowMisfit } from "../../compiler/ops/conv/geometry.ts";
import { opDef } from "../../compiler/ops/registry.ts";
import { convCases, tieCase } from "../helpers/conv-graphs.ts";
import { compileCase, stepCase } from "../helpers/case-module.ts";
import { rng } from "../helpers/gradcheck.ts";
import { feedsOf, finiteDifferences } from "../helpers/math-graphs.ts";

const rel = (a: number, b: number, floor: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
const worst = (a: ArrayLike<number>, b: ArrayLike<number>, floor: number) => Array.from(a).reduce((m, v, i) => Math.max(m, rel(v, b[i]!, floor)), 0);



describe("image ops", () => {
  it.each(convCases)("$name: float64 gradients match central differences", (c) => {
    const train = autodiff(c.graph, { inputGrads: true });
    verify(train, "autodiff");
    const feeds = feedsOf(c, rng(3));
    const env = interpret(train, feeds);
    const numeric = finiteDifferences(c, feeds);
    // Central differences of a loss summed over hundreds of terms are good to about 1e-6 here.
    [...train.grads, ...train.inputGrads].forEach((id, k) => expect(worst(env[id]!.data, numeric[k]!, 1e-3)).toBeLessThan(1e-5));
  });

  // The wasm backend runs conv2d and its gradients as its own kernels (conv-wasm.ts), whatever the JS form.
  const both = [...convCases, tieCase].flatMap((c) => BACKENDS.map((backend) => ({ ...c, backend })));
  it.each(both)("$name: the generated float32 code ($backend) matches the interpreter", async (c) => {
    const compiled = await compileCase(c, "conv", c.backend);
    const { graph, buffers } = compiled;
    const feeds = feedsOf(c, rng(5));
    const { model, loss } = stepCase(compiled, feeds);
    const env = interpret(graph, feeds);
    const out = env[graph.outputs[0]!.value]!.data;
    expect(worst(model.output.subarray(0, out.length), out, 1e-3)).toBeLessThan(1e-4);
    expect(rel(loss, lossOf(graph, feeds), 1e-3)).toBeLessThan(1e-4);
    graph.params.forEach((p, k) => {
      const { offset, size } = buffers.slots[p.value]!;
      // float32 sums of up to a few hundred products: as test/compiler/ops.test.ts allows.
      expect(worst(model.grads.subarray(offset, offset + size), env[graph.grads[k]!]!.data, 1e-3)).toBeLessThan(1e-3);
    });
  });
});

describe("max_pool ties", () => {
  it("routes each window's gradient to its first maximum in row-major order", async () => {
    const train = autodiff(tieCase.graph, { inputGrads: true });
    const feeds = feedsOf(tieCase, rng(1));
    const env = interpret(train, feeds);
    const t = feeds.targets[0]!;
    expect([...env[tieCase.graph.outputs[0]!.value]!.data]).toEqual([3, 5, 3, 5, 3, 5]);
    const routed = [0, 1, 2].flatMap((r) => [t[2 * r]!, 0, 0, t[2 * r + 1]!, 0, 0, 0, 0]);
    expect([...env[train.inputGrads[0]!]!.data]).toEqual(routed);
    // The generated kernels route the same way on both backends (P's gradient is x's).
    for (const backend of BACKENDS) {
      const compiled = await compileCase(tieCase, "conv", backend);
      const { graph, buffers } = compiled;
      const { model } = stepCase(compiled, feedsOf(tieCase, rng(1)));
      const { offset, size } = buffers.slots[graph.grads[0]!]!;
      expect([...model.grads.subarray(offset, offset + size)], backend).toEqual(routed.map(Math.fround));
    }
  });
});

const image = (shape: number[]): Value => ({ id: 0, name: "x", shape, dtype: "f32", kind: "input", batched: true });

describe("geometry (Keras/TensorFlow semantics)", () => {
  it("valid floors, same is ⌈in/stride⌉ with the odd padding after", () => {
    expect(axis(7, 2, 2, "valid")).toEqual({ out: 3, before: 0 });
    expect(axis(5, 3, 2, "same")).toEqual({ out: 3, before: 1 });
    expect(axis(7, 2, 2, "same")).toEqual({ out: 4, before: 0 });
    expect(axis(28, 5, 1, "same")).toEqual({ out: 28, before: 2 });
    expect(axis(6, 4, 1, "same")).toEqual({ out: 6, before: 1 });
  });

  it("names both shapes when a window does not fit", () => {
    expect(windowMisfit("kernel", [4, 4, 3], { kh: 5, kw: 5, sh: 1, sw: 1, padding: "valid" })).toBe(
      "kernel 5×5 is larger than its input [4×4×3] (use padding: same, or a smaller kernel)");
    expect(windowMisfit("kernel", [5, 7, 2], { kh: 3, kw: 2, sh: 2, sw: 2, padding: "valid" })).toMatch(
      /^stride 2×2 does not divide input \[5×7×2\] minus kernel 3×2: the output \[2×3\] would leave the last 0 row\(s\) and 1 column\(s\) unread/);
    expect(windowMisfit("kernel", [5, 7, 2], { kh: 3, kw: 2, sh: 2, sw: 2, padding: "same" })).toBeNull();
  });

  it("op shape rules refuse a kernel that does not fit the input's channels", () => {
    const w: Value = { ...image([3, 3, 4, 8]), batched: false, kind: "param" };
    expect(opDef("conv2d").shape([image([2, 5, 5, 3]), w], { kh: 3, kw: 3, sh: 1, sw: 1, padding: "valid" })).toBe(
      "kernel [3×3×4×8] does not fit input [2×5×5×3]");
  });
});
