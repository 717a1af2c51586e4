// `netspec validate <spec.yaml...>`: check specs without compiling them.

import type { Command } from "commander";
import { loadSpec } from "../spec/index.ts";
import { EXIT_USER, guard, printDiagnostics } from "./run.ts";

export function registerValidate(program: Command): void {
  const cmd = program
    .command("validate")
    .description("check spec files and report every error with its line and column")
    .argument("<spec...>", "spec files (YAML)");
  cmd.action(
    guard(
      () => cmd,
      (files: string[]) => {
        for (const file of files) {
          const result = loadSpec(file);
          if (result.ok) {
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
