// `netspec validate <spec.yaml...>`: check specs without compiling them.

import type { Command } from "commander";
import { planSpec } from "../compile.ts";
import { loadSpec, type CheckResult, type Diagnostic } from "../spec/index.ts";
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
          const result = validity(loaded, file, maxBytes);
          if (result.ok) {
            printDiagnostics(result.warnings, loaded.source);
            process.stdout.write(`ok: ${file}\n`);
          } else {
            printDiagnostics(result.diagnostics, loaded.source);
            process.exitCode = EXIT_USER;
          }
        }
      },
    ),
  );
}

/** What `validate` reports for a checked spec (also the dashboard's check as you type). */
export function validity(checked: CheckResult, file: string, maxBytes = DEFAULT_MAX_BYTES): { ok: true; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] } {
  if (!checked.ok) return checked;
  // The size cap is part of validity: a spec that compile would refuse is not "ok".
  const sizes = checkSizes(planSpec(checked.spec), file, checked.at(["train", "batch"]), maxBytes);
  return sizes.length ? { ok: false, diagnostics: sizes } : { ok: true, warnings: checked.warnings };
}
