// What every command shares: exit codes (0 ok, 1 user error, 2 internal error) and the
// wrapper that turns an unexpected exception into a short report instead of a stack trace.

import type { Command } from "commander";
import { formatDiagnostic, type Diagnostic } from "../spec/index.ts";

export const EXIT_USER = 1;
export const EXIT_INTERNAL = 2;

/** Wraps a command action: a thrown error is a bug in netspec, never the user's fault. */
export function guard<A extends unknown[]>(cmd: () => Command, action: (...args: A) => void | Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      // The project has no public tracker address to give: say what a useful report holds.
      process.stderr.write(`netspec: internal error: ${err.message}\nthis is a bug in netspec; please report it with the command, the spec and the output of --debug\n`);
      if (cmd().optsWithGlobals().debug) process.stderr.write(`${err.stack}\n`);
      process.exitCode = EXIT_INTERNAL;
    }
  };
}

/** Prints diagnostics to stderr, each with its source line and caret. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], source: string): void {
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d, source)}\n`);
}

/** A mistake in how a command was called (a bad flag value): one line, exit 1. */
export function usage(message: string): void {
  process.stderr.write(`netspec: error: ${message}\n`);
  process.exitCode = EXIT_USER;
}
