// netspec draw's DOT: snapshots of the text, what is and is not drawn, escaping, and that
// Graphviz (WebAssembly) lays every drawing out without an error.
import { describe, expect, it } from "vitest";
import { differentiate } from "../../compiler/cli/point.ts";
import { toDot, type Annotations } from "../../compiler/draw/dot.ts";
import { renderSvg } from "../../compiler/draw/render.ts";
import { feedsAt, gradientOf, parsePoint } from "../../compiler/grad.ts";
import { interpret } from "../../compiler/interpret.ts";
import type { Graph, TrainGraph } from "../../compiler/ir/types.ts";
import { lower } from "../../compiler/lower.ts";
import { loadSpec } from "../../compiler/spec/index.ts";
import { addMul } from "../helpers/worked-examples.ts";
import { randomFeeds } from "../helpers/gradcheck.ts";

const iris = () => {
  const r = loadSpec("specs/iris.yaml");
  if (!r.ok) throw new Error("specs/iris.yaml should be valid");
  return r.spec;
};

const annotate = (graph: TrainGraph, feeds: Parameters<typeof interpret>[1]): Annotations => {
  const env = interpret(graph, feeds);
  return { value: (id) => env[id]!.data, grad: (id) => gradientOf(graph, env, id) };
};

const addMulAtPoint = () => {
  const graph = addMul();
  return { graph, at: annotate(graph, feedsAt(graph, parsePoint(["x=-2,y=5,z=-4"], graph))) };
};

/** Node declarations (`node3 [attrs];`) of the DOT text whose ids are `prefix` and a number. */
const statements = (dot: string, prefix: string) => dot.split("\n").filter((l) => new RegExp(`^\\s*${prefix}\\d+ \\[`).test(l));

describe("DOT text", () => {
  it("matches the snapshots (iris by spec node and expanded, add_mul at the issue's point)", async () => {
    const spec = iris();
    await expect(toDot(lower(spec), { title: "iris" })).toMatchFileSnapshot("../__snapshots__/draw/iris.dot");
    await expect(toDot(lower(spec), { title: "iris", expand: true })).toMatchFileSnapshot("../__snapshots__/draw/iris-expand.dot");
    const { graph, at } = addMulAtPoint();
    await expect(toDot(graph, { title: "add_mul", at, of: "f" })).toMatchFileSnapshot("../__snapshots__/draw/add_mul-at.dot");
  });

  it("draws one box per spec node, ellipses for inputs, targets and parameters, and marks the output and the loss", () => {
    const dot = toDot(lower(iris()));
    const boxes = statements(dot, "node").map((l) => /<b>(.*?)<\/b>/.exec(l)![1]);
    expect(boxes).toEqual(["layers[0]", "layers[1]", "loss", "regularizer"]);
    const leaves = statements(dot, "leaf").map((l) => /label=<(.*?)>\];/.exec(l)![1]);
    expect(leaves.sort()).toEqual(["W1", "W2", "b1", "b2", "t", "x"]);
    expect(dot).toMatch(/out0 \[shape=plaintext, label=<<b>y<\/b>/);
    expect(dot).toMatch(/loss \[shape=ellipse, peripheries=2/);
    expect(dot).toContain("rankdir=LR");
    expect(dot).toContain(`-> node1 [label=<<font color="#57606a">75×6</font>>];`);
  });

  it("draws only the forward graph: the same picture from the differentiated graph, no backward op", () => {
    const spec = iris();
    const graph = differentiate(spec);
    expect(toDot(graph, { expand: true })).toBe(toDot(lower(spec), { expand: true }));
    const atPoint = toDot(graph, { expand: true, at: annotate(graph, randomFeeds(graph, 3)) });
    expect(atPoint).not.toMatch(/matmul_tn|matmul_nt|relu_grad|sum_rows|softmax_cross_entropy_grad|l2_grad/);
    expect(statements(atPoint, "op").length).toBe(graph.nodes.filter((n) => n.phase === "forward").length);
  });

  it("at a point, labels each edge with its value above the line (green) and its gradient below (red)", () => {
    const { graph, at } = addMulAtPoint();
    const dot = toDot(graph, { at, of: "f" });
    const label = (text: string, color: string) => `<font point-size="12" color="${color}">${text}</font>`;
    // q = x + y = 3 flows into f with ∂f/∂q = z = -4; the output f = -12 with ∂f/∂f = 1.
    const q = statements(dot, "label").find((l) => l.includes(label("3", "#1a7f37")))!;
    expect(q.indexOf(label("3", "#1a7f37"))).toBeLessThan(q.indexOf('port="p"'));
    expect(q.indexOf('port="p"')).toBeLessThan(q.indexOf(label("-4", "#cf222e")));
    expect(statements(dot, "label").some((l) => l.includes(label("-12", "#1a7f37")) && l.includes(label("1", "#cf222e")))).toBe(true);
    expect(dot).toContain("∂f/∂value below it");
  });

  it("escapes every user string, and is deterministic", async () => {
    const g = lower(iris());
    const hostile = `a"<b>&'x</b>`;
    const graph: Graph = {
      ...g,
      nodes: g.nodes.map((n) => (n.path === "layers[0]" ? { ...n, path: hostile } : n)),
      notes: { ...g.notes, [hostile]: `<script>alert("x")</script> & more` },
      outputs: [{ name: "<y>", value: g.outputs[0]!.value }],
    };
    const dot = toDot(graph, { title: "<t>&" });
    expect(dot).not.toContain("<script>");
    expect(dot).toContain("a&quot;&lt;b&gt;&amp;&#39;x&lt;/b&gt;");
    expect(dot).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
    expect(dot).toContain("<b>&lt;y&gt;</b>");
    expect(dot).toContain("<b>&lt;t&gt;&amp;</b>");
    expect(toDot(graph, { title: "<t>&" })).toBe(dot);
    await expect(renderSvg(dot)).resolves.toContain("&lt;script&gt;");
  });
});

describe("rendering with Graphviz (WebAssembly)", () => {
  it("lays out every kind of drawing as SVG", async () => {
    const spec = iris();
    const graph = differentiate(spec);
    const at = annotate(graph, randomFeeds(graph, 5));
    for (const dot of [toDot(lower(spec)), toDot(graph, { expand: true, at }), toDot(addMulAtPoint().graph, addMulAtPoint())]) {
      const svg = await renderSvg(dot);
      expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    }
    expect(await renderSvg(toDot(lower(spec)))).toContain(">layers[0]</text>");
  });

  it("fails loudly on DOT Graphviz reports errors for (it would draw an empty node and say success)", async () => {
    await expect(renderSvg(`digraph { a [label=<<font color="red"></font>>]; }`)).rejects.toThrow(/Graphviz could not draw the graph/);
  });
});
