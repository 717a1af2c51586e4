// `netspec predict <spec.yaml> --weights ckpt --data rows.csv`: scores and classes for every
// row, with the preprocessing (class names, standardization) saved in the checkpoint.

import type { Command } from "commander";
import { applyStandardizer, CheckpointError, loadCheckpoint, loadCsv, predict } from "../../runtime/index.ts";
import { loadAll } from "./compile.ts";
import { importCompiled } from "./module-loader.ts";
import { EXIT_USER, guard } from "./run.ts";
import { reportUserError } from "./user-errors.ts";

export function registerPredict(program: Command): void {
  const cmd = program
    .command("predict")
    .description("predict with trained weights for every row of a CSV file")
    .argument("<spec>", "spec file the weights were trained from")
    .requiredOption("--weights <file>", "a checkpoint written by `netspec train --save`")
    .requiredOption("--data <file.csv>", "rows to predict (a header row; label/target columns are ignored)")
    .option("--json", "print one JSON object per row");
  cmd.action(
    guard(() => cmd, async (file: string, flags: { weights: string; data: string; json?: boolean }) => {
      const loaded = loadAll([file]);
      if (!loaded) return void (process.exitCode = EXIT_USER);
      const { spec, hash } = loaded[0]!;
      try {
        const mod = await importCompiled(loaded[0]!);
        const ck = loadCheckpoint(flags.weights, { specHash: hash, paramCount: mod.PARAM_COUNT });
        const cols = spec.data?.kind === "csv" ? { label: spec.data.label, targets: spec.data.targets } : { label: "label", targets: null };
        let rows = loadCsv(flags.data, { ...cols, labelOptional: true, classNames: ck.data?.classNames ?? null, inputSize: spec.input });
        if (ck.data?.mean && ck.data.std) rows = applyStandardizer(rows, { mean: [...ck.data.mean], std: [...ck.data.std] });
        if (ck.state.length !== mod.STATE_COUNT) throw new CheckpointError(`checkpoint has ${ck.state.length} state values; the model has ${mod.STATE_COUNT}`);
        // The trained state too: batch norm's running statistics are what infer() normalizes with.
        const { scores, classes } = predict(mod, ck.params, rows.features, rows.rows, ck.state);
        const names = ck.data?.classNames ?? null;
        for (let r = 0; r < rows.rows; r++) {
          const s = Array.from(scores.subarray(r * mod.OUTPUT_SIZE, (r + 1) * mod.OUTPUT_SIZE));
          const k = classes ? classes[r]! : null;
          const label = k === null ? null : (names?.[k] ?? String(k));
          if (flags.json) process.stdout.write(`${JSON.stringify({ row: r + 1, class: label, scores: s })}\n`);
          else process.stdout.write(`${r + 1}\t${label ?? ""}\t${s.map((x) => x.toPrecision(5)).join("\t")}\n`);
        }
      } catch (e) {
        if (!reportUserError(e)) throw e;
      }
    }),
  );
}
