// The graph form of the spec language: `layers:` is sugar for it (the same network written
// either way compiles to the same kernels), and what only the graph form can say.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSpec, type Compiled } from "../../compiler/compile.ts";
import { checkSpec } from "../../compiler/spec/index.ts";

const valid = (text: string, file = "graph.yaml") => {
  const r = checkSpec(text, file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n"));
  return r;
};

/**
 * A module's code with every tensor's name replaced by its order of first appearance
 * (`W1` and `h1_W` both become `$2`), comments dropped: what is left is the kernels themselves.
 */
function canonical(c: Compiled): string {
  // Comments name the spec paths (layers[0] / h1), which differ by design: compare the code.
  const body = c.code.slice(c.code.indexOf("function forward")).replace(/\/\/.*$/gm, "");
  const names = new Set(c.graph.values.map((v) => v.name));
  const order = new Map<string, number>();
  return body.replace(/\b[A-Za-z_]\w*\b/g, (word) => {
    if (!names.has(word)) return word;
    if (!order.has(word)) order.set(word, order.size);
    return `$${order.get(word)}`;
  });
}

describe("layers: is sugar for graph:", () => {
  it("specs/iris.yaml and the same network written as a graph emit the same kernels", () => {
    const layersText = readFileSync("specs/iris.yaml", "utf8");
    const graphText = layersText
      .replace("name: iris", "name: iris_graph")
      .replace(/input: 4.*\nlayers:\n(?:[ -].*\n)+/, ["inputs: { x: [4] }", "graph:", "  h1: dense(x, 6, relu)", "  scores: dense(h1, 3)", "output: scores", ""].join("\n"));
    expect(graphText).toContain("graph:");
    const a = valid(layersText, "specs/iris.yaml");
    const b = valid(graphText, "iris_graph.yaml");
    const [ca, cb] = [compileSpec(a.spec, a.hash, "a.yaml"), compileSpec(b.spec, b.hash, "b.yaml")];
    expect(canonical(cb)).toBe(canonical(ca));
    expect(cb.plan.arenas).toEqual(ca.plan.arenas);
  });
});

describe("graph specs", () => {
  it("warn about a node the output does not use, at its line and column, and still compile", () => {
    const r = valid(["netspec: 1", "name: unused", "inputs: { x: [] }", "graph:", "  a: tanh(x)", "  f: sigmoid(x)", "output: f", ""].join("\n"));
    expect(r.warnings.map((d) => [d.line, d.col, d.message, d.severity])).toEqual([[5, 3, "graph.a is not used by the output 'f'", "warning"]]);
  });

  it("name each parameter after the node that creates it, owned by that node", () => {
    const r = valid(readFileSync("specs/iris_residual.yaml", "utf8"), "specs/iris_residual.yaml");
    const { graph } = compileSpec(r.spec, r.hash, "r.yaml");
    expect(graph.params.map((p) => `${p.owner}.${p.role}=${graph.values[p.value]!.name}`)).toEqual([
      "h1.weights=h1_W", "h1.biases=h1_b", "h2.weights=h2_W", "h2.biases=h2_b", "scores.weights=scores_W", "scores.biases=scores_b",
    ]);
    expect(graph.named.map((p) => p.name)).toEqual(["h1", "h2", "scores"]);
  });
});
