// Gradients at a point: the report against float64 finite differences (iris, v1), against
// the worked examples from their specs, and `--at` parsing.
import { describe, expect, it } from "vitest";
import { formatNumber, formatTensor } from "../../compiler/format.ts";
import { feedsAt, gradientOf, gradReport, parsePoint, PointError, type GradRow } from "../../compiler/grad.ts";
import { interpret, lossOf, type Feeds } from "../../compiler/interpret.ts";
import { verify } from "../../compiler/ir/verify.ts";
import { lower } from "../../compiler/lower.ts";
import { loadSpec } from "../../compiler/spec/index.ts";
import { differentiate } from "../../compiler/cli/point.ts";
import { expectGolden, gradGoldens } from "../fixtures/grad-golden.ts";
import { addMul } from "../helpers/worked-examples.ts";
import { randomFeeds } from "../helpers/gradcheck.ts";

const irisSpec = () => {
  const r = loadSpec("specs/iris.yaml");
  if (!r.ok) throw new Error("specs/iris.yaml should be valid");
  return r.spec;
};

/** Central differences of the float64 loss, one element of one fed tensor at a time. */
function finiteDifferences(tensor: Float64Array, loss: () => number, h = 1e-6): Float64Array {
  return tensor.map((keep, i) => {
    tensor[i] = keep + h;
    const up = loss();
    tensor[i] = keep - h;
    const down = loss();
    tensor[i] = keep;
    return (up - down) / (2 * h);
  });
}

const expectClose = (actual: readonly number[], expected: ArrayLike<number>, what: string, tol = 1e-6) => {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(Math.abs(a - e) / Math.max(Math.abs(e), 1e-3), `${what}[${i}]: ${a} vs ${e}`).toBeLessThan(tol);
  });
};

describe("gradReport on iris (v1 layers spec)", () => {
  const spec = irisSpec();
  const forward = lower(spec);
  const graph = differentiate(spec);
  const feeds: Feeds = randomFeeds(graph, 7);
  const report = gradReport(graph, feeds);
  const row = (name: string): GradRow => report.rows.find((r) => r.name === name)!;

  it("has a row per input, parameter and spec node, in that order, and the loss", () => {
    expect(report.rows.map((r) => `${r.kind} ${r.name}`)).toEqual([
      "input x", "param W1", "param b1", "param W2", "param b2",
      "node layers[0]", "node layers[1]", "node loss", "node regularizer",
    ]);
    expect(report.of).toBe("loss");
    expect(report.value).toBeCloseTo(lossOf(forward, feeds), 12);
    expect(row("layers[0]").shape).toEqual([75, 6]);
    expect(row("loss").grad).toEqual([1]);
  });

  it("gives every parameter's and the input's gradient as finite differences of the loss do", () => {
    const loss = () => lossOf(forward, feeds);
    graph.params.forEach((p, k) => {
      const name = graph.values[p.value]!.name;
      expect(row(name).value).toEqual(Array.from(feeds.params[k]!));
      expectClose(row(name).grad!, finiteDifferences(feeds.params[k] as Float64Array, loss), `∂loss/∂${name}`);
    });
    expectClose(row("x").grad!, finiteDifferences(feeds.inputs[0] as Float64Array, loss), "∂loss/∂x");
  });

  it("gives 1 to the penalty terms summed into the loss (autodiff keeps no value for them), none to the targets", () => {
    const env = interpret(graph, feeds);
    const named = (name: string) => graph.values.findIndex((v) => v.name === name);
    expect(graph.adjoints.has(named("l2_W1"))).toBe(false);
    expect(Array.from(gradientOf(graph, env, named("l2_W1"))!)).toEqual([1]);
    expect(Array.from(gradientOf(graph, env, named("reg_loss"))!)).toEqual([1]);
    expect(gradientOf(graph, env, graph.targets[0]!.value)).toBeNull();
  });

  it("gives the nodes' gradients the chain rule gives: softmax − one-hot over the batch, then through W2", () => {
    const [rows, classes] = [75, 3];
    const z2 = row("layers[1]").value;
    const labels = feeds.targets[0]!;
    const dz2 = z2.map((_, i) => {
      const r = Math.floor(i / classes);
      const zs = z2.slice(r * classes, (r + 1) * classes);
      const max = Math.max(...zs);
      const sum = zs.reduce((s, z) => s + Math.exp(z - max), 0);
      return (Math.exp(z2[i]! - max) / sum - (labels[r] === i % classes ? 1 : 0)) / rows;
    });
    expectClose(row("layers[1]").grad!, dz2, "∂loss/∂layers[1]", 1e-9);
    const w2 = row("W2").value; // [6, 3]
    const dh1 = row("layers[0]").value.map((_, i) => {
      const [r, j] = [Math.floor(i / 6), i % 6];
      return [0, 1, 2].reduce((s, c) => s + dz2[r * classes + c]! * w2[j * classes + c]!, 0);
    });
    expectClose(row("layers[0]").grad!, dh1, "∂loss/∂layers[0]", 1e-9);
  });
});

describe("the issue's worked examples, from their specs", () => {
  for (const golden of gradGoldens) {
    it(`${golden.spec}: ${golden.at.join(" ")}`, () => {
      const loaded = loadSpec(golden.spec);
      if (!loaded.ok) throw new Error(`${golden.spec} should be valid`);
      const graph = differentiate(loaded.spec);
      verify(graph, golden.spec);
      expectGolden(gradReport(graph, feedsAt(graph, parsePoint(golden.at, graph))), golden);
    });
  }
});

describe("--at parsing", () => {
  const graph = addMul();
  const iris = differentiate(irisSpec());
  const problems = (args: string[], g = graph) => {
    try {
      parsePoint(args, g);
    } catch (e) {
      if (e instanceof PointError) return e.problems;
      throw e;
    }
    return [];
  };

  it("splits assignments at a comma before `name=`, and takes vectors as comma lists", () => {
    const point = parsePoint(["x=-2,y=5", "z = 1e-3"], graph);
    expect([...point.entries()].map(([k, v]) => [k, Array.from(v)])).toEqual([["x", [-2]], ["y", [5]], ["z", [0.001]]]);
    expect(Array.from(parsePoint(["b2=1,-2.5,.5"], iris).get("b2")!)).toEqual([1, -2.5, 0.5]);
  });

  it("names the unknown name and suggests the closest, or says a node is computed", () => {
    expect(problems(["xx=1"])).toEqual(["--at xx: no input or parameter is named 'xx'; did you mean 'x'?"]);
    expect(problems(["q=3"])).toEqual(["--at q: 'q' is computed by the graph; only inputs and parameters can be given (x, y, z)"]);
  });

  it("checks the count against the shape, that each is a number, and reports every problem", () => {
    expect(problems(["b2=1,2"], iris)).toEqual(["--at b2: b2 has shape 3, so it takes 3 numbers (got 2)"]);
    expect(problems(["x=abc,y=", "z=0x10"])).toEqual([
      "--at x: 'abc' is not a number",
      "--at y: an empty number (a stray comma?)",
      "--at z: '0x10' is not a number",
    ]);
    expect(problems(["x=1", "x=2"])).toEqual(["--at x: given twice"]);
    expect(problems(["-2,5"])).toEqual(["--at '-2,5': expected name=value, e.g. x=-2,y=5 or w=2,-3,-3"]);
    expect(problems(["t=0.5"], iris)[0]).toMatch(/t has shape 75, so it takes 75 numbers/);
  });

  it("says which values are missing when there are no defaults", () => {
    expect(() => feedsAt(graph, parsePoint(["x=1"], graph))).toThrow(
      "no value for input 'y' (1 number); give it with --at y=…\nno value for input 'z' (1 number); give it with --at z=…",
    );
  });
});

describe("number formatting", () => {
  it("shows 4 significant digits without trailing zeros, exponents for tiny and huge numbers", () => {
    expect([3, -12, 0.7310586, 220.00000000000003, 1.1e-7, 123456, 0, -0, NaN].map((x) => formatNumber(x))).toEqual([
      "3", "-12", "0.7311", "220", "1.1e-7", "1.235e5", "0", "0", "NaN",
    ]);
  });

  it("elides long tensors to the first two and the last, with the shape", () => {
    expect(formatTensor([5], [])).toBe("5");
    expect(formatTensor([1, 2, 3], [3])).toBe("[1, 2, 3]");
    expect(formatTensor(Array.from({ length: 300 }, (_, i) => i), [75, 4])).toBe("[0, 1, …, 299] (75×4)");
  });
});
