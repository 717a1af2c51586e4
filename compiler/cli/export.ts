// `netspec export <spec> [--weights ckpt] -o model.onnx|weights.json`: the inference graph
// with its weights as a standard ONNX model, or the weights and layout as JSON. Nothing is
// written on any error (an op with no ONNX form, a checkpoint of another spec).

import type { Command } from "commander";
import { CheckpointError, loadCheckpoint, type DataMeta } from "../../runtime/index.ts";
import { jsonWeights, onnxModel, probabilitiesOf, type ExportInput } from "../export/model.ts";
import { ExportError } from "../export/rule.ts";
import type { Weights } from "../export/weights.ts";
import { NETSPEC_VERSION } from "../version.ts";
import { loadAll } from "./compile.ts";
import { importCompiled } from "./module-loader.ts";
import { EXIT_USER, guard, usage } from "./run.ts";
import { reportUserError } from "./user-errors.ts";
import { writeAtomically } from "./write-file.ts";

const FORMATS = ["onnx", "json"];

interface ExportFlags {
  out: string;
  weights?: string;
  format?: string;
  probabilities?: boolean;
}

export function registerExport(program: Command): void {
  const cmd = program
    .command("export")
    .description("write the model as ONNX (opset 17, dynamic batch), or its weights and layout as JSON")
    .argument("<spec>", "spec file the weights were trained from")
    .requiredOption("-o, --out <file>", "where to write it (.onnx, or .json for the weights as JSON)")
    .option("--weights <file>", "a checkpoint written by `netspec train --save` (default: the spec's initial weights)")
    .option("--format <format>", "onnx or json (default: from the file's extension, else onnx)")
    .option("--probabilities", "ONNX: output the loss's probabilities (softmax, sigmoid) instead of raw scores");
  cmd.action(guard(() => cmd, (file: string, flags: ExportFlags) => run(file, flags)));
}

async function run(file: string, flags: ExportFlags): Promise<void> {
  const format = flags.format ?? (/\.json$/i.test(flags.out) ? "json" : "onnx");
  if (!FORMATS.includes(format)) return usage(`--format takes ${FORMATS.join(" or ")} (got '${format}')`);
  if (flags.probabilities && format !== "onnx") return usage("--probabilities applies to --format onnx only (JSON holds the weights, not a graph)");
  const loaded = loadAll([file]);
  if (!loaded) return void (process.exitCode = EXIT_USER);
  const l = loaded[0]!;
  let bytes: string | Uint8Array;
  try {
    if (flags.probabilities) probabilitiesOf(l.spec); // refused before anything is compiled
    const mod = await importCompiled(l);
    let weights: Weights, data: DataMeta | null = null, from: string;
    if (flags.weights) {
      const ck = loadCheckpoint(flags.weights, { specHash: l.hash, paramCount: mod.PARAM_COUNT });
      if (ck.state.length !== mod.STATE_COUNT) throw new CheckpointError(`${flags.weights}: has ${ck.state.length} state values; the model has ${mod.STATE_COUNT}`);
      weights = { params: ck.params, state: ck.state };
      data = ck.data ?? null;
      from = flags.weights;
    } else {
      // Like saving an untrained Keras model: allowed, but said out loud.
      const model = mod.createModel();
      model.init(l.spec.seed);
      weights = { params: model.params, state: model.state };
      from = `the spec's initialisers (seed ${l.spec.seed})`;
      process.stderr.write(`netspec: note: no --weights given: exporting ${l.file} with ${from}, untrained\n`);
    }
    const input: ExportInput = { spec: l.spec, forward: l.planned.forward, mod, weights, from, data };
    bytes = format === "onnx" ? onnxModel(input, { probabilities: Boolean(flags.probabilities), producerVersion: NETSPEC_VERSION }) : jsonWeights(input);
  } catch (e) {
    if (e instanceof ExportError) return usage(`${l.file}: ${e.message}`);
    if (!reportUserError(e)) throw e;
    return;
  }
  if (writeAtomically(flags.out, bytes)) process.stdout.write(`wrote ${flags.out} (${format}, ${l.spec.name})\n`);
}
