// Each phase on its own: lower's shapes, verify's checks, autodiff's fan-out sums and
// skipped gradients, fuse's equivalence, and the buffer plan's sharing rules.
import { describe, expect, it } from "vitest";
import { autodiff } from "../../compiler/autodiff.ts";
import { fuse } from "../../compiler/fuse.ts";
import { interpret } from "../../compiler/interpret.ts";
import { GraphBuilder } from "../../compiler/ir/builder.ts";
import { verify } from "../../compiler/ir/verify.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { lower } from "../../compiler/lower.ts";
import { plan } from "../../compiler/plan.ts";
import { randomFeeds } from "../helpers/gradcheck.ts";
import { layer, makeSpec } from "../helpers/specs.ts";

const iris = makeSpec({ layers: [layer(6, "relu"), layer(3)], regularizer: { l1: 0, l2: 0.001 }, train: { batch: 75, epochs: 1, shuffle: true, stop_below: null, early_stopping: null } });
const shapeOf = (g: Graph, name: string) => g.values.find((v) => v.name === name)?.shape;

describe("lower", () => {
  it("gives every value a static shape from the spec", () => {
    const g = lower(iris);
    expect(shapeOf(g, "x")).toEqual([75, 4]);
    expect(shapeOf(g, "W1")).toEqual([4, 6]);
    expect(shapeOf(g, "h1")).toEqual([75, 6]);
    expect(shapeOf(g, "z2")).toEqual([75, 3]);
    expect(g.values[g.targets[0]!.value]!.dtype).toBe("i32");
    expect(g.values[g.dataLoss]!.shape).toEqual([]);
    expect(g.values[g.regLoss]!.shape).toEqual([]);
    expect(g.nodes.map((n) => n.op)).toEqual(["matmul", "bias_add", "relu", "matmul", "bias_add", "softmax_cross_entropy", "l2", "l2", "add"]);
    expect(g.nodes[0]!.path).toBe("layers[0]");
  });

  it("gives each parameter to the layer that created it", () => {
    const g = lower(iris);
    expect(g.params.map((p) => [g.values[p.value]!.name, p.owner, p.role])).toEqual([
      ["W1", "layers[0]", "weights"],
      ["b1", "layers[0]", "biases"],
      ["W2", "layers[1]", "weights"],
      ["b2", "layers[1]", "biases"],
    ]);
    expect(g.inputs.map((p) => p.name)).toEqual(["x"]);
    expect(g.state).toEqual([]);
  });

  it("regularizes weights only, scaled per layer", () => {
    const g = lower(makeSpec({ layers: [layer(3, "tanh", { regularize: 0 }), layer(2, "identity", { regularize: 2 })], loss: { op: "mse", attrs: {} }, regularizer: { l1: 0, l2: 0.5 } }));
    const penalties = g.nodes.filter((n) => n.op === "l2");
    expect(penalties.map((n) => [g.values[n.inputs[0]!]!.name, n.attrs.lambda])).toEqual([["W2", 1]]);
  });

  it("resolves Glorot and He initialisers from fan-in and fan-out", () => {
    const g = lower(makeSpec({ input: 10, layers: [layer(20, "relu", { init: { weights: { kind: "glorot_uniform" }, biases: { kind: "zeros" } } })] }));
    expect(g.params[0]!.init).toEqual({ kind: "uniform", min: -Math.sqrt(6 / 30), max: Math.sqrt(6 / 30) });
  });
});

describe("verify", () => {
  it("accepts what lower and autodiff produce", () => {
    expect(() => verify(autodiff(lower(iris)), "autodiff")).not.toThrow();
  });

  it("reports a value used before it is defined, and a wrong shape", () => {
    const g = lower(iris);
    const swapped = { ...g, nodes: [g.nodes[1]!, g.nodes[0]!, ...g.nodes.slice(2)] };
    expect(() => verify(swapped, "test")).toThrow(/used before it is defined/);
    const bad = { ...g, values: g.values.map((v) => (v.name === "h1" ? { ...v, shape: [75, 7] } : v)) };
    expect(() => verify(bad, "test")).toThrow(/declared \[75,7\] f32, op says \[75,6\]/);
  });
});

describe("autodiff", () => {
  const g = autodiff(lower(iris));
  const producer = (id: number) => g.nodes.find((n) => n.output === id)!;

  it("sums the two contributions to a weight that is used twice (product and penalty)", () => {
    const dW1 = producer(g.grads[0]!);
    expect(dW1.op).toBe("add");
    expect(dW1.inputs.map((i) => producer(i).op).sort()).toEqual(["l2_grad", "matmul_tn"]);
  });

  it("computes no gradient for the input", () => {
    expect(g.nodes.some((n) => n.phase === "backward" && n.op === "matmul_nt" && g.values[n.output]!.shape.join() === "75,4")).toBe(false);
  });

  it("orders forward then backward nodes", () => {
    const phases = g.nodes.map((n) => n.phase);
    expect(phases.lastIndexOf("forward")).toBeLessThan(phases.indexOf("backward"));
  });
});

describe("fuse", () => {
  const unfused = autodiff(lower(makeSpec({ layers: [layer(5, "sigmoid"), layer(4, "elu"), layer(3)], regularizer: { l1: 0.01, l2: 0.1 } })));
  const fused = fuse(unfused);

  it("folds bias, activation, derivative and penalty into the products", () => {
    expect(fused.nodes.length).toBeLessThan(unfused.nodes.length);
    expect(fused.nodes.filter((n) => n.op === "gemm").length).toBeGreaterThanOrEqual(5);
    expect(fused.nodes.some((n) => ["bias_add", "sigmoid", "elu", "l1_grad", "l2_grad"].includes(n.op))).toBe(false);
    expect(() => verify(fused, "fuse")).not.toThrow();
  });

  it("folds an add of the product's own shape, never one of a broadcast scalar", () => {
    // x·W + operand, by hand: the kernel reads an operand per element (or per column), so a
    // scalar operand would be read out of bounds.
    const withOperand = (shape: number[], batched: boolean) => {
      const g = new GraphBuilder();
      const x = g.leaf("input", "x", [5, 4], "f32", true);
      const w = g.leaf("param", "W", [4, 3], "f32", false);
      const operand = g.leaf(batched ? "input" : "param", "c", shape, "f32", batched);
      const y = g.add("add", [g.add("matmul", [x, w], {}, "z"), operand], {}, "y");
      const loss = g.add("sum_all", [y], {}, "data_loss");
      const params = [w, ...(batched ? [] : [operand])].map((value) => ({ value, owner: "test", role: "p", init: { kind: "zeros" as const }, regularize: 0 }));
      const inputs = [x, ...(batched ? [operand] : [])].map((value, k) => ({ name: `in${k}`, value }));
      const graph: Graph = { values: g.values, nodes: g.nodes, inputs, targets: [], outputs: [{ name: "y", value: y }], named: [], params, state: [], dataLoss: loss, regLoss: -1, notes: {} };
      const f = fuse(autodiff(graph));
      verify(f, "fuse");
      return f.nodes.find((n) => n.output === y)!.op;
    };
    expect(withOperand([5, 3], true)).toBe("gemm");
    expect(withOperand([], false)).toBe("add");
  });

  it("computes exactly what the unfused graph computes", () => {
    const feeds = randomFeeds(unfused, 7);
    const before = interpret(unfused, feeds);
    const after = interpret(fused, feeds);
    for (const id of [...fused.outputs.map((p) => p.value), fused.dataLoss, fused.regLoss, ...fused.grads]) {
      const [a, b] = [before[id]!.data, after[id]!.data];
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 12));
    }
  });
});

describe("plan", () => {
  const g = fuse(autodiff(lower(iris)));
  const p = plan(g);

  it("lays gradients out like their parameters", () => {
    g.params.forEach((param, k) => expect(p.slots[g.grads[k]!]).toEqual({ ...p.slots[param.value]!, arena: "grads" }));
    expect(p.arenas.params).toBe(4 * 6 + 6 + 6 * 3 + 3);
  });

  it("never lets two live temporaries overlap, and reuses memory", () => {
    const order = [...p.functions.forward, ...p.functions.loss, ...p.functions.backward];
    const def = new Map<number, number>();
    const last = new Map<number, number>();
    order.forEach((n, step) => {
      def.set(g.nodes[n]!.output, step);
      g.nodes[n]!.inputs.forEach((i) => last.set(i, step));
    });
    const temps = [...def.keys()].filter((id) => p.slots[id]!.arena === "temp");
    const total = temps.reduce((s, id) => s + p.slots[id]!.size, 0);
    expect(p.arenas.temp).toBeLessThan(total);
    for (const a of temps)
      for (const b of temps) {
        if (a >= b) continue;
        const [sa, sb] = [p.slots[a]!, p.slots[b]!];
        const memory = sa.offset < sb.offset + sb.size && sb.offset < sa.offset + sa.size;
        const life = (id: number) => [def.get(id)!, Math.max(last.get(id) ?? def.get(id)!, def.get(id)!)] as const;
        const [la, lb] = [life(a), life(b)];
        const time = la[0] <= lb[1] && lb[0] <= la[1];
        expect(memory && time, `${g.values[a]!.name} and ${g.values[b]!.name}`).toBe(false);
      }
  });

  it("puts the network output in its own buffer and splits the functions", () => {
    expect(p.slots[g.outputs[0]!.value]!.arena).toBe("output");
    expect(p.functions.forward.length).toBeGreaterThan(0);
    expect(p.functions.loss.every((n) => g.nodes[n]!.phase === "forward")).toBe(true);
    expect(p.functions.backward.every((n) => g.nodes[n]!.phase === "backward")).toBe(true);
  });
});
