// `netspec validate <spec.yaml...>`: check specs without compiling them.

import type { Command } from "commander";
import { planSpec } from "../compile.ts";
import { loadSpec } from "../spec/index.ts";
import { EXIT_USER, guard, printDiagnostics, usage } from "./run.ts";
import { checkSizes, DEFAULT_MAX_BYTES } from "./sizes.ts";

export function registerValidate(program: Command): void {
  const cmd = program
    .command("validate")
    .description("check spec files and report every error with its line and column")
    .argument("<spec...>", "spec files (YAML)")
    .option("--max-bytes <n>", "refuse specs whose buffers exceed this many bytes (as compile does)", String(DEFAULT_MAX_BYTES));
  cmd.action(
    guard(
      () => cmd,
      (files: string[], opts: { maxBytes: string }) => {
        const maxBytes = Number(opts.maxBytes);
        if (!(maxBytes > 0)) return usage(`--max-bytes must be a positive number (got '${opts.maxBytes}')`);
        for (const file of files) {
          const loaded = loadSpec(file);
          // The size cap is part of validity: a spec that compile would refuse is not "ok".
          const sizes = loaded.ok ? checkSizes(planSpec(loaded.spec).plan, file, loaded.at(["train", "batch"]), maxBytes) : [];
          const result = sizes.length ? { ok: false as const, diagnostics: sizes, source: loaded.source } : loaded;
          if (result.ok) {
            printDiagnostics(result.warnings, result.source);
            process.stdout.write(`ok: ${file}\n`);
          } else {
            printDiagnostics(result.diagnostics, result.source);
            process.exitCode = EXIT_USER;
          }
        }
      },
    ),
  );
}
