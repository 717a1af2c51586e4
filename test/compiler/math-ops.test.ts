// The graph-math ops (compiler/ops/math/) on the hand-built graphs of test/helpers/math-graphs.ts:
// float64 gradients against central differences, and the generated float32 module against
// the interpreter. Then the edge cases: shape errors, index bounds, ties.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { autodiff } from "../../compiler/autodiff.ts";
import { interpret, lossOf } from "../../compiler/interpret.ts";
import { verify } from "../../compiler/ir/verify.ts";
import type { Shape, Value } from "../../compiler/ir/types.ts";
import { opDef } from "../../compiler/ops/registry.ts";
import { compileCase, stepCase } from "../helpers/case-module.ts";
import { rng } from "../helpers/gradcheck.ts";
import { feedsOf, finiteDifferences, mathCases } from "../helpers/math-graphs.ts";

/** Relative error; below `floor` in magnitude it turns absolute (a zero gradient's difference quotient is noise). */
const rel = (a: number, b: number, floor: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
const worst = (a: ArrayLike<number>, b: ArrayLike<number>, floor: number) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, rel(v, b[i]!, floor)), 0);


const modules: string[] = [];

describe("graph-math ops", () => {
  it.each(mathCases.filter((c) => !c.kink))("$name: float64 gradients match central differences", (c) => {
    const train = autodiff(c.graph, { inputGrads: true });
    verify(train, "autodiff");
    const feeds = feedsOf(c, rng(11));
    const env = interpret(train, feeds);
    const analytic = [...train.grads, ...train.inputGrads].map((id) => {
      expect(id, "every param and input takes a gradient").toBeGreaterThanOrEqual(0);
      return env[id]!.data;
    });
    const numeric = finiteDifferences(c, feeds);
    analytic.forEach((a, k) => expect(worst(a, numeric[k]!, 1e-3)).toBeLessThan(1e-6));
  });

  it.each(mathCases)("$name: the generated float32 code matches the interpreter", async (c) => {
    const compiled = await compileCase(c, "math");
    modules.push(compiled.file);
    const { graph, buffers } = compiled;
    const feeds = feedsOf(c, rng(5));
    const { model, loss } = stepCase(compiled, feeds);

    const env = interpret(graph, feeds);
    const out = graph.outputs[0]!.value;
    expect(worst(model.output.subarray(0, env[out]!.data.length), env[out]!.data, 1e-3)).toBeLessThan(1e-4);
    expect(rel(loss, lossOf(graph, feeds), 1e-3)).toBeLessThan(1e-4);
    graph.params.forEach((p, k) => {
      const { offset, size } = buffers.slots[p.value]!;
      expect(worst(model.grads.subarray(offset, offset + size), env[graph.grads[k]!]!.data, 1e-3)).toBeLessThan(1e-4);
    });
  });

  it("the generated modules type-check under strict", () => {
    expect(modules.length).toBe(mathCases.length);
    const tsc = join("node_modules", ".bin", "tsc");
    const flags = ["--ignoreConfig", "--noEmit", "--strict", "--target", "es2022", "--lib", "es2022", "--module", "esnext", "--types", ""];
    execFileSync(tsc, [...flags, ...modules], { stdio: "pipe" });
  }, 60_000);
});

const value = (shape: Shape, batched = false): Value => ({ id: 0, name: "v", shape, dtype: "f32", kind: "temp", batched });

describe("edge cases", () => {
  it("max with ties routes the gradient to the first maximum of each row", () => {
    const c = mathCases.find((m) => m.kink)!;
    const train = autodiff(c.graph, { inputGrads: true });
    const feeds = feedsOf(c, rng(1));
    const env = interpret(train, feeds);
    const t = feeds.targets[0]!;
    expect([...env[c.graph.outputs[0]!.value]!.data]).toEqual([2, 3, -1]);
    const routed = [0, t[0], 0, 0, t[1], 0, 0, 0, 0, t[2], 0, 0];
    expect([...env[train.inputGrads[0]!]!.data]).toEqual(routed);
    expect([...env[train.grads[0]!]!.data]).toEqual(routed);
  });

  it("binary ops refuse shapes that neither match nor are scalar, naming both", () => {
    expect(opDef("mul").shape([value([3]), value([2])], {})).toBe("cannot multiply [3] and [2]: shapes must match, or one must be a scalar");
    expect(opDef("add").shape([value([3, 4], true), value([4])], {})).toBe("cannot add [3×4] and [4]: shapes must match, or one must be a scalar");
    expect(opDef("sub").shape([value([3], true), value([3, 2], true)], {})).toMatch(/^cannot subtract \[3\] and \[3×2\]/);
    expect(opDef("div").shape([value([3, 2], true), value([])], {})).toEqual({ shape: [3, 2], dtype: "f32", batched: true });
    expect(opDef("sub").shape([value([]), value([3, 2], true)], {})).toEqual({ shape: [3, 2], dtype: "f32", batched: true });
  });

  it("index refuses out-of-range positions and values that are not vectors", () => {
    expect(opDef("index").shape([value([3])], { i: 3 })).toBe("index 3 is out of range for [3] (indices start at 0)");
    expect(opDef("index").shape([value([5, 3], true)], { i: 3 })).toBe("index 3 is out of range for [3] (indices start at 0)");
    expect(opDef("index").shape([value([3])], { i: -1 })).toBe("index -1 is out of range for [3] (indices start at 0)");
    expect(opDef("index").shape([value([3])], { i: 2 })).toEqual({ shape: [], dtype: "f32", batched: false });
    expect(opDef("index").shape([value([2, 3])], { i: 0 })).toBe("only a vector can be indexed (got [2×3])");
  });

  it("reductions keep one result per row of a batch, and one for anything else", () => {
    for (const op of ["sum", "mean", "max"]) {
      expect(opDef(op).shape([value([5, 3], true)], {})).toEqual({ shape: [5], dtype: "f32", batched: true });
      expect(opDef(op).shape([value([2, 3])], {})).toEqual({ shape: [], dtype: "f32", batched: false });
    }
  });

  it("a scalar divisor, a scalar minuend and ln near 0 evaluate elementwise", () => {
    const t = (shape: Shape, ...data: number[]) => ({ shape, data: Float64Array.from(data) });
    expect([...opDef("div").eval([t([3], 1, 2, 3), t([], 4)], {}, [3], "train")]).toEqual([0.25, 0.5, 0.75]);
    expect([...opDef("sub").eval([t([], 1), t([3], 1, 2, 3)], {}, [3], "train")]).toEqual([0, -1, -2]);
    expect(opDef("log").eval([t([1], 1e-300)], {}, [1], "train")[0]).toBeCloseTo(-690.78, 2);
  });
});
