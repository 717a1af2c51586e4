// `netspec grad <spec> [--at x=-2,y=5] [--json]`: the value of every input, parameter and spec
// node at one point, and the gradient of the loss (or of the output, for a spec with no
// loss) with respect to each. A table for people; with --json one object on the last line.

import type { Command } from "commander";
import { formatNumber, formatTensor } from "../format.ts";
import { gradReport, PointError, type GradReport } from "../grad.ts";
import { shapeText } from "../ir/types.ts";
import { loadAll } from "./compile.ts";
import { evaluationPoint } from "./point.ts";
import { EXIT_USER, guard, usage } from "./run.ts";
import { reportUserError } from "./user-errors.ts";

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerGrad(program: Command): void {
  const cmd = program
    .command("grad")
    .description("evaluate a spec at one point: every input, parameter and node with its value and gradient")
    .argument("<spec>", "spec file")
    .option("--at <name=values>", "values of inputs and parameters, e.g. x=-2,y=5 or w=2,-3,-3 (repeatable; default: init and the first batch of data)", collect, [])
    .option("--json", "print the report as one JSON object on the last line");
  cmd.action(guard(() => cmd, (file: string, flags: { at: string[]; json?: boolean }) => run(file, flags)));
}

async function run(file: string, flags: { at: string[]; json?: boolean }): Promise<void> {
  const loaded = loadAll([file]);
  if (!loaded) return void (process.exitCode = EXIT_USER);
  try {
    const { graph, feeds, from } = await evaluationPoint(loaded[0]!, flags.at);
    const report = gradReport(graph, feeds);
    if (flags.json) process.stdout.write(`${JSON.stringify({ spec: loaded[0]!.file, from, ...report })}\n`);
    else process.stdout.write(table(loaded[0]!.file, report, from));
  } catch (e) {
    if (e instanceof PointError) return e.problems.forEach((p) => usage(p));
    if (!reportUserError(e)) throw e;
  }
}

/** The report as an aligned table: numbers to 4 significant digits, long tensors elided. */
export function table(file: string, report: GradReport, from: readonly string[]): string {
  const header = `${file}: ${report.of} = ${formatNumber(report.value)}${from.length ? ` at ${from.join(" and ")}` : ""}`;
  const rows = [
    ["name", "kind", "shape", "value", `∂${report.of}/∂`],
    ...report.rows.map((r) => [
      r.name,
      r.kind,
      shapeText(r.shape),
      formatTensor(r.value, r.shape),
      r.grad ? formatTensor(r.grad, r.shape) : "—",
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  "));
  return `${header}\n${lines.join("\n")}\n`;
}
