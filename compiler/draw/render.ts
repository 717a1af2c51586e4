// DOT → SVG with real Graphviz compiled to WebAssembly (@viz-js/viz): dot's layered layout,
// not hand placement. The WebAssembly module is instantiated once per process.

import { instance, type Viz } from "@viz-js/viz";

let viz: Promise<Viz> | null = null;

/** Lays out and renders DOT text as a standalone SVG document. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: "svg" });
  // Our DOT is generated, so an error from Graphviz is a netspec bug. (It reports some, such
  // as a bad HTML label, with status "success" and an empty node drawn.) Warnings are about
  // font metrics of non-ASCII characters, which it estimates.
  const errors = result.errors.filter((e) => e.level === "error");
  if (result.status !== "success" || errors.length) {
    throw new Error(`Graphviz could not draw the graph: ${errors.map((e) => e.message).join(" ")}`);
  }
  return result.output;
}
