// The epilogue expression tree (compiler/ops/core/epilogue.ts): what it binds, what it
// parenthesizes, and that rendering never confuses a buffer's name with the local.
import { describe, expect, it } from "vitest";
import { apply, leaf, readsOf, render } from "../../compiler/ops/core/epilogue.ts";

const relu = (x: readonly string[]) => `${x[0]} > 0 ? ${x[0]} : 0`;
const add = (x: readonly string[]) => `${x[0]} + ${x[1]}`;
const sigmoid = (x: readonly string[]) => `1 / (1 + Math.exp(-${x[0]}))`;
const call = (x: readonly string[]) => `tanh32(${x[0]})`;

describe("epilogue expression tree", () => {
  it("counts reads of each operand, and sees the ones already in parentheses", () => {
    expect(readsOf(relu, 1)).toEqual([{ count: 2, enclosed: false }]);
    expect(readsOf(add, 2)).toEqual([{ count: 1, enclosed: false }, { count: 1, enclosed: false }]);
    expect(readsOf(call, 1)).toEqual([{ count: 1, enclosed: true }]);
  });

  it("writes a chain read once per step as one expression, parenthesized where needed", () => {
    const e = apply(sigmoid, [apply(add, [leaf("c00"), leaf("b1[n]")])]);
    expect(render(e)).toEqual(["1 / (1 + Math.exp(-(c00 + b1[n])))"]);
    expect(render(apply(call, [apply(add, [leaf("c00"), leaf("b1[n]")])]))).toEqual(["tanh32(c00 + b1[n])"]);
  });

  it("binds a compound value a rule reads twice to a const local", () => {
    const e = apply(relu, [apply(add, [leaf("c00"), leaf("b1[0]")])]);
    expect(render(e)).toEqual(["const v = c00 + b1[0];", "v > 0 ? v : 0"]);
  });

  it("repeats a leaf instead of binding it", () => {
    expect(render(apply(relu, [leaf("c01")]))).toEqual(["c01 > 0 ? c01 : 0"]);
  });

  it("rebinds with let when a later step reads the running value twice again", () => {
    const e = apply(relu, [apply(relu, [apply(add, [leaf("c00"), leaf("b[0]")])])]);
    expect(render(e)).toEqual(["let v = c00 + b[0];", "v = v > 0 ? v : 0;", "v > 0 ? v : 0"]);
  });

  it("leaves a buffer that happens to be called v alone", () => {
    // The regex-based rewriting this replaces would have substituted into `v[0]`.
    const e = apply(relu, [apply(add, [leaf("c00"), leaf("v[0]")])]);
    expect(render(e, "t")).toEqual(["const t = c00 + v[0];", "t > 0 ? t : 0"]);
    expect(render(apply(add, [leaf("c00"), leaf("v[0]")]))).toEqual(["c00 + v[0]"]);
  });
});
