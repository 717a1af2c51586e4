// The forward graph as Graphviz DOT, drawn like the textbook's computational graphs: a box
// per spec node (or per IR op with `expand`), ellipses for inputs and parameters, and each
// edge labelled with its tensor's shape, or at a point with its value above the line (green)
// and ∂objective/∂value below it (red). Pure and deterministic: ids are generated, and every
// user string (names, notes) reaches the text only HTML-escaped inside a label.

import { formatTensor } from "../format.ts";
import { lossTerms, shapeSize, shapeText, type Graph, type Node, type Value } from "../ir/types.ts";
import { opDef } from "../ops/registry.ts";

/** Values and gradients at a point, by value id (from the interpreter and the adjoints). */
export interface Annotations {
  value(id: number): ArrayLike<number>;
  /** ∂objective/∂value, or null where nothing differentiated depends on it. */
  grad(id: number): ArrayLike<number> | null;
}

export interface DrawOptions {
  /** The heading, e.g. the spec's name. */
  readonly title?: string;
  /** One box per IR op (grouped in a frame per spec node) instead of one per spec node. */
  readonly expand?: boolean;
  /** Label edges with values and gradients instead of shapes. */
  readonly at?: Annotations;
  /** What the gradients are of, for the legend (`loss`, `f`). */
  readonly of?: string;
}

const GREEN = "#1a7f37";
const RED = "#cf222e";
const GREY = "#57606a";
const FONT = "Helvetica";
/** Long tensors show their first two elements and the last on an edge. */
const SHOWN = 4;

/** Escapes text for a Graphviz HTML-like label (and so for DOT: such labels are never quoted). */
export const html = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const LEAF_STYLE: Record<string, string> = {
  input: `shape=ellipse, style=filled, fillcolor="#fff8c5"`,
  target: `shape=ellipse, style="filled,dashed", fillcolor="#fff8c5"`,
  param: `shape=ellipse, style=filled, fillcolor="#ddf4ff"`,
  state: `shape=ellipse, style="filled,dotted", fillcolor="#f6f8fa"`,
};

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly value: number;
}

/** A DOT node statement, and the frame (spec node, with `expand`) it is drawn in, if any. */
interface DotNode {
  readonly id: string;
  readonly attrs: string;
  readonly frame: string | null;
}

export function toDot(graph: Graph, options: DrawOptions = {}): string {
  const value = (id: number) => graph.values[id]!;
  const forward = graph.nodes.filter((n) => n.phase === "forward");
  const paths = [...new Set(forward.map((n) => n.path))];
  const boxOf = (n: Node, k: number) => (options.expand ? `op${k}` : `node${paths.indexOf(n.path)}`);
  const producer = new Map(forward.map((n, k) => [n.output, boxOf(n, k)]));

  // Leaves (inputs, targets, parameters, state) are drawn when a forward op reads them.
  const leaves = new Set<number>();
  const source = (v: number): string => {
    const box = producer.get(v);
    if (box !== undefined) return box;
    leaves.add(v);
    return `leaf${v}`;
  };
  const edges: Edge[] = [];
  const seen = new Set<string>();
  const connect = (from: string, to: string, v: number) => {
    const key = `${from} ${to} ${v}`;
    if (from !== to && !seen.has(key)) seen.add(key), edges.push({ from, to, value: v });
  };
  forward.forEach((n, k) => n.inputs.forEach((v) => connect(source(v), boxOf(n, k), v)));

  const nodes: DotNode[] = [];
  // Inputs and targets by their port names (a value's own name may have been made unique).
  const ports = new Map([...graph.inputs, ...graph.targets].map((p) => [p.value, p.name]));
  const owner = new Map(graph.params.map((p) => [p.value, p.owner]));
  for (const v of leaves) {
    // With `expand`, a parameter is drawn inside the frame of the spec node that owns it.
    const frame = options.expand ? (owner.get(v) ?? null) : null;
    nodes.push({ id: `leaf${v}`, attrs: `${LEAF_STYLE[value(v).kind]}, label=<${html(ports.get(v) ?? value(v).name)}>`, frame });
  }
  if (options.expand) {
    forward.forEach((n, k) => {
      const math = opDef(n.op).describe(n, n.inputs.map(value), value(n.output));
      nodes.push({ id: `op${k}`, attrs: `${BOX}, label=<<b>${html(n.op)}</b><br/><font point-size="11">${html(math)}</font>>`, frame: n.path });
    });
  } else paths.forEach((path, k) => nodes.push({ id: `node${k}`, attrs: `${BOX}, label=<${nodeLabel(graph, path)}>`, frame: null }));

  // Sinks: each output, and the loss its terms add up to (unless the output is the objective).
  const terms = lossTerms(graph);
  const objectiveIsOutput = terms.length === 1 && graph.outputs.some((p) => p.value === terms[0]);
  graph.outputs.forEach((p, k) => {
    const label = `<b>${html(p.name)}</b><br/><font point-size="10" color="${GREY}">output</font>`;
    nodes.push({ id: `out${k}`, attrs: `${sinkStyle(objectiveIsOutput && p.value === terms[0])}, label=<${label}>`, frame: null });
    connect(source(p.value), `out${k}`, p.value);
  });
  if (!objectiveIsOutput) {
    nodes.push({ id: "loss", attrs: `${sinkStyle(true)}, label=<<b>loss</b>>`, frame: null });
    for (const t of terms) connect(source(t), "loss", t);
  }

  // An edge's label node sits in a frame when both its ends do, so the edge stays inside it.
  const frameOf = new Map(nodes.map((n) => [n.id, n.frame]));
  const statements: string[] = [];
  edges.forEach((e, k) => {
    const frame = frameOf.get(e.from) === frameOf.get(e.to) ? (frameOf.get(e.from) ?? null) : null;
    const drawn = drawEdge(e, k, value(e.value), options.at);
    if (drawn.node) nodes.push({ ...drawn.node, frame });
    statements.push(...drawn.edges);
  });

  const line = (n: DotNode, indent: string) => `${indent}${n.id} [${n.attrs}];`;
  return [
    "digraph netspec {",
    // At a point every edge runs through a label node (a rank of its own), so ranks sit closer.
    `  graph [rankdir=LR, bgcolor="white", fontname="${FONT}", fontsize=16, labelloc=t, nodesep=0.3, ranksep=${options.at ? 0.25 : 0.5}, pad=0.3];`,
    `  node [fontname="${FONT}", fontsize=14, color="${GREY}", penwidth=1.2];`,
    `  edge [fontname="${FONT}", fontsize=12, color="${GREY}", arrowsize=0.7];`,
    `  label=<${heading(options)}>;`,
    ...nodes.filter((n) => n.frame === null).map((n) => line(n, "  ")),
    ...paths.flatMap((path, c) => {
      const inside = nodes.filter((n) => n.frame === path);
      if (!options.expand || inside.length === 0) return [];
      const style = `graph [style="rounded,dashed", color="${GREY}", fontsize=13, label=<${nodeLabel(graph, path)}>];`;
      return [`  subgraph cluster_${c} {`, `    ${style}`, ...inside.map((n) => line(n, "    ")), "  }"];
    }),
    ...statements.map((st) => `  ${st}`),
    "}",
    "",
  ].join("\n");
}

const BOX = `shape=box, style="rounded,filled", fillcolor="#f6f8fa"`;

const sinkStyle = (objective: boolean) =>
  objective ? `shape=ellipse, peripheries=2, style=filled, fillcolor="#ffebe9"` : `shape=plaintext`;

/** A spec node: its name in bold, then its summary (`dense 4→6, relu`). */
const nodeLabel = (graph: Graph, path: string): string => {
  const note = graph.notes[path];
  return `<b>${html(path || "(unnamed)")}</b>${note ? `<br/><font point-size="12">${html(note)}</font>` : ""}`;
};

function heading({ title, at, of = "loss" }: DrawOptions): string {
  const name = title ? `<b>${html(title)}</b><br/>` : "";
  // One colour per line: Graphviz places each run of text by its own font metrics, so runs
  // side by side can overlap where the viewer's font is wider.
  const legend = at
    ? `<font color="${GREEN}">value above each edge</font><br/><font color="${RED}">∂${html(of)}/∂value below it</font>`
    : `<font color="${GREY}">edges show tensor shapes</font>`;
  return `${name}<font point-size="12">${legend}</font>`;
}

/**
 * An edge with its tensor's shape as the label; or, at a point, drawn through a label node
 * whose middle row continues the line: the value sits above the line, the gradient below,
 * as in the textbook's figures. The line row is three filled cells so that it meets the
 * edges exactly (Graphviz ends an edge just outside its port's cell).
 */
function drawEdge(e: Edge, k: number, v: Value, at: Annotations | undefined): { node?: Omit<DotNode, "frame">; edges: string[] } {
  const shape = html(shapeText(v.shape));
  if (!at) return { edges: [`${e.from} -> ${e.to} [label=<<font color="${GREY}">${shape}</font>>];`] };
  const tensor = (data: ArrayLike<number>) => html(formatTensor(data, v.shape, { limit: SHOWN, shape: false }));
  const row = (text: string, color: string, size = 12) =>
    `<tr><td width="1" cellpadding="0"></td><td><font point-size="${size}" color="${color}">${text}</font></td><td width="1" cellpadding="0"></td></tr>`;
  const line = (port: string) => `<td${port} width="1" height="1" cellpadding="0" bgcolor="${GREY}"></td>`;
  const grad = at.grad(v.id);
  const rows = [
    ...(shapeSize(v.shape) > 1 ? [row(shape, GREY, 10)] : []),
    row(tensor(at.value(v.id)), GREEN),
    `<tr>${line("")}${line(' port="p"')}${line("")}</tr>`,
    // No gradient (a target, or a value nothing differentiated depends on): nothing below.
    ...(grad ? [row(tensor(grad), RED)] : []),
  ];
  const table = `<table border="0" cellborder="0" cellspacing="0" cellpadding="2">${rows.join("")}</table>`;
  return {
    node: { id: `label${k}`, attrs: `shape=plain, fontsize=12, label=<${table}>` },
    edges: [`${e.from} -> label${k}:p:w [arrowhead=none];`, `label${k}:p:e -> ${e.to};`],
  };
}
