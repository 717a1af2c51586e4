// Small hand-built graphs for the graph-math ops (compiler/ops/math/): each op on unbatched
// and batched shapes, with a scalar broadcast on either side, and as the loss itself (where
// autodiff's upstream gradient is the implicit 1). Shared by math-ops.test.ts, which checks
// them, and ops.test.ts, which counts the ops they cover.

import { lossOf, type Feeds } from "../../compiler/interpret.ts";
import { GraphBuilder } from "../../compiler/ir/builder.ts";
import type { Graph, ParamInfo, Port, Shape } from "../../compiler/ir/types.ts";
import { shapeSize } from "../../compiler/ir/types.ts";

/** How a leaf is fed: random float32 values in `range`, or exactly `data`. */
export interface Feed {
  readonly range?: readonly [number, number];
  readonly data?: readonly number[];
}

export interface MathCase {
  readonly name: string;
  readonly graph: Graph;
  /** Rows of every batched value. */
  readonly batch: number;
  /** By leaf value id; random in [−1.5, 1.5] when absent. */
  readonly feeds: ReadonlyMap<number, Feed>;
  /** Not differentiable at its feeds (a max at a tie): finite differences do not apply. */
  readonly kink?: boolean;
}

export const BATCH = 3;

export class CaseBuilder {
  readonly g = new GraphBuilder();
  readonly inputs: Port[] = [];
  readonly params: ParamInfo[] = [];
  readonly feeds = new Map<number, Feed>();

  /** A batched input is [BATCH, …shape]. */
  input(name: string, shape: Shape, batched: boolean, feed: Feed = {}): number {
    const id = this.g.leaf("input", name, batched ? [BATCH, ...shape] : shape, "f32", batched);
    this.inputs.push({ name, value: id });
    this.feeds.set(id, feed);
    return id;
  }

  param(name: string, shape: Shape, feed: Feed = {}): number {
    const id = this.g.leaf("param", name, shape, "f32", false);
    this.params.push({ value: id, owner: "test", role: name, init: { kind: "normal", mean: 0, std: 1 }, regularize: 0 });
    this.feeds.set(id, feed);
    return id;
  }

  op(op: string, inputs: readonly number[], attrs: Record<string, unknown> = {}, name = op): number {
    return this.g.add(op, inputs, attrs, name);
  }

  num(value: number): number {
    return this.op("const", [], { value }, "k");
  }
}

interface Options {
  /** The result is a scalar and is the loss itself (no weighting): its upstream gradient is null. */
  readonly asLoss?: boolean;
  readonly kink?: boolean;
}

/**
 * A case: `body` builds the computation and returns its result y. The loss is Σ y ⊙ t with
 * t a fixed random target of y's shape, so every element of y matters to it.
 */
export function graphCase(name: string, body: (b: CaseBuilder) => number, { asLoss = false, kink = false }: Options = {}): MathCase {
  const b = new CaseBuilder();
  b.g.path = "test";
  const y = body(b);
  const yv = b.g.value(y);
  const targets: Port[] = [];
  let loss = y;
  if (!asLoss) {
    const t = b.g.leaf("target", "t", yv.shape, "f32", yv.batched);
    targets.push({ name: "t", value: t });
    loss = b.op("sum_all", [b.op("mul", [y, t], {}, "weighted")], {}, "data_loss");
  } else if (yv.shape.length !== 0) throw new Error(`${name}: a loss must be a scalar`);
  const graph: Graph = {
    values: b.g.values,
    nodes: b.g.nodes,
    inputs: b.inputs,
    targets,
    outputs: [{ name: "y", value: y }],
    named: [],
    params: b.params,
    state: [],
    dataLoss: loss,
    regLoss: -1,
    notes: {},
  };
  return { name, graph, batch: BATCH, feeds: b.feeds, kink };
}

const positive: Feed = { range: [0.5, 2] };
/** Close to 0 (where ln is steep), but positive. */
const nearZero: Feed = { range: [1e-3, 1e-2] };

/** The four shape combinations of a binary op, and the op as a loss of two scalars. */
function binaryCases(op: string, right: Feed = {}): MathCase[] {
  return [
    graphCase(`${op}: [4] params`, (b) => b.op(op, [b.param("a", [4]), b.param("c", [4], right)])),
    graphCase(`${op}: batched [B,3] inputs`, (b) => b.op(op, [b.input("x", [3], true), b.input("z", [3], true, right)])),
    graphCase(`${op}: batch with a scalar on the right`, (b) => b.op(op, [b.input("x", [3], true), b.param("c", [], right)])),
    graphCase(`${op}: a scalar on the left, [4] on the right`, (b) => b.op(op, [b.param("c", []), b.param("a", [4], right)])),
    graphCase(`${op}: two scalars, as the loss`, (b) => b.op(op, [b.param("a", []), b.param("c", [], right)]), { asLoss: true }),
  ];
}

function unaryCases(op: string, feed: Feed = {}, batchedFeed: Feed = feed): MathCase[] {
  return [
    graphCase(`${op}: [4] param`, (b) => b.op(op, [b.param("a", [4], feed)])),
    graphCase(`${op}: batched [B,3] input`, (b) => b.op(op, [b.input("x", [3], true, batchedFeed)])),
    graphCase(`${op}: a scalar, as the loss`, (b) => b.op(op, [b.param("a", [], feed)]), { asLoss: true }),
  ];
}

function reductionCases(op: string): MathCase[] {
  return [
    graphCase(`${op}: [2,3] param → []`, (b) => b.op(op, [b.param("a", [2, 3])])),
    graphCase(`${op}: batched [B,4] input → [B]`, (b) => b.op(op, [b.input("x", [4], true)])),
    graphCase(`${op}: [4], as the loss`, (b) => b.op(op, [b.param("a", [4])]), { asLoss: true }),
  ];
}

export const mathCases: MathCase[] = [
  ...binaryCases("add"),
  ...binaryCases("sub"),
  ...binaryCases("mul"),
  ...binaryCases("div", positive),
  ...unaryCases("neg"),
  ...unaryCases("exp"),
  ...unaryCases("log", positive, nearZero),
  ...reductionCases("sum"),
  ...reductionCases("mean"),
  ...reductionCases("max"),
  graphCase("sum_all: batched [B,2] input → []", (b) => b.op("sum_all", [b.input("x", [2], true)])),
  graphCase("index: [3] param, element 2", (b) => b.op("index", [b.param("a", [3])], { i: 2 })),
  graphCase("index: batched [B,3] input, column 1", (b) => b.op("index", [b.input("x", [3], true)], { i: 1 })),
  graphCase("index: [3], element 0 as the loss", (b) => b.op("index", [b.param("a", [3])], { i: 0 }), { asLoss: true }),
  // P (zeros, the batch's shape) makes the routing visible in a parameter's gradient too.
  graphCase("max with ties: the first maximum of each row takes the gradient", (b) => {
    const x = b.input("x", [4], true, { data: [0.5, 2, 2, -1, 3, 3, 3, 3, -2, -1, -2, -1] });
    return b.op("max", [b.op("add", [x, b.param("P", [BATCH, 4], { data: Array(BATCH * 4).fill(0) })])]);
  }, { kink: true }),
  graphCase("const: x · 2 + (−0.5)", (b) => b.op("add", [b.op("mul", [b.input("x", [3], true), b.num(2)]), b.num(-0.5)])),
  graphCase("neuron: sigmoid(w[0]·x[0] + w[1]·x[1] + w[2])", (b) => {
    const [w, x] = [b.param("w", [3]), b.input("x", [2], true)];
    const term = (i: number) => b.op("mul", [b.op("index", [w], { i }), b.op("index", [x], { i })]);
    return b.op("sigmoid", [b.op("add", [b.op("add", [term(0), term(1)]), b.op("index", [w], { i: 2 })])]);
  }),
  graphCase("sum(exp(h) / 2) per row", (b) => b.op("sum", [b.op("div", [b.op("exp", [b.input("h", [3], true)]), b.num(2)])])),
  graphCase("x @ W + c: a scalar added to a product is not fused", (b) => {
    const z = b.op("matmul", [b.input("x", [4], true), b.param("W", [4, 3])]);
    return b.op("add", [z, b.param("c", [])]);
  }),
  graphCase("fan-out: (a + c) · a", (b) => {
    const a = b.param("a", [4]);
    return b.op("mul", [b.op("add", [a, b.param("c", [4])]), a]);
  }),
  graphCase("a loss term's operand used twice: s + s · c", (b) => {
    const s = b.op("sum", [b.param("a", [3])]);
    return b.op("add", [s, b.op("mul", [s, b.param("c", [])])]);
  }, { asLoss: true }),
];

/** Random float32-exact feeds (or the case's fixed data) for every leaf. */
export function feedsOf(c: MathCase, next: () => number) {
  const leaf = (id: number) => {
    const n = shapeSize(c.graph.values[id]!.shape);
    const { range = [-1.5, 1.5], data } = c.feeds.get(id) ?? {};
    if (data) return Float64Array.from(data, Math.fround);
    return Float64Array.from({ length: n }, () => Math.fround(range[0] + (range[1] - range[0]) * next()));
  };
  return {
    params: c.graph.params.map((p) => leaf(p.value)),
    inputs: c.graph.inputs.map((p) => leaf(p.value)),
    targets: c.graph.targets.map((p) => leaf(p.value)),
  };
}

/** Central differences of the float64 loss by every element of every param and input. */
export function finiteDifferences(c: MathCase, feeds: Feeds): Float64Array[] {
  const h = 1e-6;
  return [...feeds.params, ...feeds.inputs].map((theta) =>
    theta.map((keep, i) => {
      theta[i] = keep + h;
      const up = lossOf(c.graph, feeds);
      theta[i] = keep - h;
      const down = lossOf(c.graph, feeds);
      theta[i] = keep;
      return (up - down) / (2 * h);
    }),
  );
}
