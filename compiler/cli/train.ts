// `netspec train <spec.yaml>`: compile in memory, load the data, train, report.
// Progress goes to stderr (a bar on a terminal, a few plain lines otherwise); the summary
// goes to stdout, and with --json the last stdout line is one JSON object.

import { dirname } from "node:path";
import type { Command } from "commander";
import {
  confusion, confusionText, loadCheckpoint, predict, prepareData, train,
  type CompiledModule, type Confusion, type Dataset, type EpochMetrics, type TrainResult,
} from "../../runtime/index.ts";
import { writeSvgPlot } from "../../runtime/plot.ts";
import { warmupTooLong } from "../spec/optimizer-rules.ts";
import { DATA_DEFAULTS } from "../spec/schema.ts";
import type { BackendName } from "../backend.ts";
import { loadAll } from "./compile.ts";
import { importCompiled } from "./module-loader.ts";
import { progressReporter } from "./progress.ts";
import { EXIT_USER, guard, printDiagnostics, usage } from "./run.ts";
import { reportUserError } from "./user-errors.ts";
import { resolveRun, startThreads, threadsRefusal } from "./threads.ts";
import type { ThreadedModel } from "../../runtime/threads/model.ts";

interface TrainFlags {
  data?: string;
  epochs?: string;
  lr?: string;
  seed?: string;
  save?: string;
  resume?: string;
  json?: boolean;
  plot?: string;
  backend: string;
  threads?: string;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command("train")
    .description("compile a spec in memory and train it with the spec's optimizer")
    .argument("<spec>", "spec file")
    .option("--data <source>", "builtin:iris, builtin:mnist or a CSV file (default: the spec's data)")
    .option("--epochs <n>", "epochs to train (default: the spec's)")
    .option("--lr <x>", "learning rate (default: the spec's)")
    .option("--seed <n>", "seed for initial weights, split and shuffling (default: the spec's)")
    .option("--save <file>", "write a checkpoint here at the end")
    .option("--resume <file>", "continue from a checkpoint")
    .option("--json", "print the result as one JSON object on the last line")
    .option("--plot <file.svg>", "write a chart of loss and accuracy per epoch")
    .option("--backend <name>", "js, wasm, or auto: the one explain estimates faster for this spec", "auto")
    .option("--threads <n>", "split each batch across n threads, each running the backend's module (default: what wins on this machine for this spec; `netspec explain` says)");
  cmd.action(guard(() => cmd, (file: string, flags: TrainFlags) => run(file, flags)));
}

async function run(file: string, flags: TrainFlags): Promise<void> {
  const epochs = count(flags.epochs, "--epochs", 1);
  const seed = count(flags.seed, "--seed", 0);
  const threadsFlag = count(flags.threads, "--threads", 1);
  if (threadsFlag === null) return;
  const lr = flags.lr === undefined ? undefined : Number(flags.lr);
  if (epochs === null || seed === null) return;
  if (lr !== undefined && !(lr > 0 && Number.isFinite(lr))) return usage(`--lr must be a positive number (got '${flags.lr}')`);
  if (!["js", "wasm", "auto"].includes(flags.backend)) return usage(`--backend takes js, wasm or auto (got '${flags.backend}')`);
  const loaded = loadAll([file]);
  if (!loaded) return void (process.exitCode = EXIT_USER);
  const { spec, hash, file: shown } = loaded[0]!;
  if (!spec.loss) return usage(`${shown}: the spec has no loss, so there is nothing to train; \`netspec grad ${shown}\` shows its value and gradients`);
  if (!spec.data && !flags.data) return usage(`${shown}: the spec names no data; add a data: section, or pass --data builtin:iris|builtin:mnist|file.csv`);
  const { backend, threads } = resolveRun(loaded[0]!, flags.backend as BackendName | "auto", threadsFlag);
  const refusal = threadsRefusal(loaded[0]!, threads);
  if (refusal) return usage(refusal);
  let threaded: ThreadedModel | null = null;
  try {
    const mod = await importCompiled(loaded[0]!, backend);
    const runSeed = seed ?? spec.seed;
    // With no data section, --data names the rows; a CSV's class column is then `label`.
    const dataSpec = spec.data ?? { kind: "csv" as const, csv: flags.data!, label: "label", targets: null, ...DATA_DEFAULTS };
    const shape = { inputSize: mod.INPUT_SIZE, outputSize: mod.OUTPUT_SIZE, target: mod.TARGET ?? "vector" };
    const data = prepareData(dataSpec, { baseDir: dirname(file), override: flags.data ?? null, seed: runSeed, inputSize: spec.input, shape });
    // Validation checks this when the spec's data says its size; a CSV file's is known now.
    const long = warmupTooLong(spec, data.train.rows, epochs ?? spec.train.epochs);
    if (long) {
      const at = loaded[0]!.at(["optimizer", spec.optimizer.rule.kind, "warmup"]);
      printDiagnostics([{ file: shown, ...at, message: long }], loaded[0]!.source);
      return void (process.exitCode = EXIT_USER);
    }
    const resume = flags.resume ? loadCheckpoint(flags.resume, { specHash: hash, paramCount: mod.PARAM_COUNT, optimizer: mod.TRAINING.optimizer.kind }) : null;
    if (threads > 1) threaded = await startThreads(loaded[0]!, mod, threads, backend);
    const progress = progressReporter(epochs ?? spec.train.epochs, Boolean(flags.json));
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once("SIGINT", stop);
    let result: TrainResult;
    try {
      result = await train(mod, { train: data.train, test: data.test }, {
        epochs,
        lr,
        seed: runSeed,
        resume,
        save: flags.save ?? null,
        signal: abort.signal,
        model: threaded ?? undefined,
        onEpoch: (m: EpochMetrics) => progress.epoch(m),
        onProgress: (p) => progress.step(p),
        dataMeta: {
          classNames: data.train.classNames,
          mean: data.standardizer?.mean ?? null,
          std: data.standardizer?.std ?? null,
        },
      });
    } finally {
      progress.done();
      process.off("SIGINT", stop);
    }
    if (flags.plot) {
      try {
        writeSvgPlot(flags.plot, result.history, `${spec.name}: ${result.stopped}`);
      } catch (e) {
        usage(`cannot write the plot ${flags.plot}: ${(e as Error).message}`);
      }
    }
    report(shown, result, Boolean(flags.json), backend, flags.save, testConfusion(mod, result, data.test), threads);
  } catch (e) {
    if (!reportUserError(e)) throw e;
  } finally {
    await threaded?.close();
  }
}

/** The confusion matrix of a classifier on the test split (null for other losses or no test rows). */
function testConfusion(mod: CompiledModule, r: TrainResult, test: Dataset | null): { names: string[]; confusion: Confusion } | null {
  if (mod.ACCURACY !== "argmax" || !test?.labels || test.rows === 0) return null;
  const { classes } = predict(mod, r.model.params, test.features, test.rows, r.model.state);
  const names = Array.from({ length: mod.OUTPUT_SIZE }, (_, k) => test.classNames?.[k] ?? String(k));
  return { names, confusion: confusion(test.labels, classes!, mod.OUTPUT_SIZE) };
}

function report(spec: string, r: TrainResult, json: boolean, backend: BackendName, save: string | undefined, test: { names: string[]; confusion: Confusion } | null, threads: number): void {
  const f = r.final;
  const summary = {
    spec,
    epochs: r.epochs,
    steps: r.steps,
    stopped: r.stopped,
    loss: f?.loss ?? null,
    dataLoss: f?.dataLoss ?? null,
    regLoss: f?.regLoss ?? null,
    trainAccuracy: f?.trainAccuracy ?? null,
    testLoss: f?.testLoss ?? null,
    testAccuracy: f?.testAccuracy ?? null,
    seconds: r.seconds,
    stepsPerSecond: r.stepsPerSecond,
    backend,
    threads,
    checkpoint: save ?? null,
    confusion: test ? { classes: test.names, ...test.confusion } : null,
  };
  if (json) return void process.stdout.write(`${JSON.stringify(summary)}\n`);
  const pct = (x: number | null | undefined) => (x == null ? "n/a" : `${(100 * x).toFixed(2)}%`);
  const lines = [
    `${spec}: stopped after ${r.epochs} epochs (${r.stopped}), ${r.steps} steps in ${r.seconds.toFixed(2)} s (${Math.round(r.stepsPerSecond)} steps/s, ${backend} backend${threads > 1 ? `, ${threads} threads` : ""})`,
    `  loss ${f?.loss.toFixed(5) ?? "n/a"} (data ${f?.dataLoss.toFixed(5) ?? "n/a"} + penalty ${f?.regLoss.toFixed(5) ?? "n/a"})`,
    `  train accuracy ${pct(f?.trainAccuracy)}, test loss ${f?.testLoss?.toFixed(5) ?? "n/a"}, test accuracy ${pct(f?.testAccuracy)}`,
  ];
  if (save) lines.push(`  checkpoint: ${save}`);
  if (test) lines.push("", "test split, confusion matrix:", confusionText(test.confusion, test.names).replace(/^/gm, "  "));
  process.stdout.write(lines.join("\n") + "\n");
}

/** A whole-number flag ≥ min, undefined when absent, null (after reporting) when bad. */
function count(text: string | undefined, flag: string, min: number): number | undefined | null {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (Number.isInteger(n) && n >= min && n <= 1e9) return n;
  usage(`${flag} must be a whole number ≥ ${min} (got '${text}')`);
  return null;
}
