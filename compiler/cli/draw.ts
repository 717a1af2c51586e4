// `netspec draw <spec> [--at …] [--expand] [--format svg|dot] -o file`: the forward graph
// laid out by Graphviz (WebAssembly), edges labelled with shapes, or at a point with values
// (green, above) and gradients (red, below). Written atomically; nothing on any error.

import type { Command } from "commander";
import { toDot, type Annotations } from "../draw/dot.ts";
import { renderSvg } from "../draw/render.ts";
import { gradientOf, objectiveName, PointError } from "../grad.ts";
import { interpret } from "../interpret.ts";
import { lower } from "../lower.ts";
import { loadAll } from "./compile.ts";
import { collect } from "./grad.ts";
import { evaluationPoint } from "./point.ts";
import { EXIT_USER, guard, usage } from "./run.ts";
import { reportUserError } from "./user-errors.ts";
import { writeAtomically } from "./write-file.ts";

const FORMATS = ["svg", "dot"];

interface DrawFlags {
  out: string;
  at: string[];
  expand?: boolean;
  format?: string;
}

export function registerDraw(program: Command): void {
  const cmd = program
    .command("draw")
    .description("draw the spec's graph (Graphviz): shapes on the edges, or values and gradients at a point")
    .argument("<spec>", "spec file")
    .requiredOption("-o, --out <file>", "where to write the drawing (.svg, or .dot for Graphviz text)")
    .option("--at <name=values>", "label edges with values and gradients at this point (repeatable, as for grad)", collect, [])
    .option("--expand", "one box per primitive op (a dense layer is matmul, bias_add, activation)")
    .option("--format <format>", "svg or dot (default: from the file's extension, else svg)");
  cmd.action(guard(() => cmd, (file: string, flags: DrawFlags) => run(file, flags)));
}

async function run(file: string, flags: DrawFlags): Promise<void> {
  const format = flags.format ?? (/\.(dot|gv)$/i.test(flags.out) ? "dot" : "svg");
  if (!FORMATS.includes(format)) return usage(`--format takes ${FORMATS.join(" or ")} (got '${format}')`);
  const loaded = loadAll([file]);
  if (!loaded) return void (process.exitCode = EXIT_USER);
  const { spec } = loaded[0]!;
  let dot: string;
  try {
    if (flags.at.length === 0) dot = toDot(lower(spec), { title: spec.name, expand: flags.expand });
    else {
      const { graph, feeds } = await evaluationPoint(loaded[0]!, flags.at);
      const env = interpret(graph, feeds);
      const at: Annotations = { value: (id) => env[id]!.data, grad: (id) => gradientOf(graph, env, id) };
      dot = toDot(graph, { title: spec.name, expand: flags.expand, at, of: objectiveName(graph) });
    }
  } catch (e) {
    if (e instanceof PointError) return e.problems.forEach((p) => usage(p));
    if (!reportUserError(e)) throw e;
    return;
  }
  const text = format === "svg" ? await renderSvg(dot) : dot;
  if (writeAtomically(flags.out, text)) process.stdout.write(`wrote ${flags.out}\n`);
}
