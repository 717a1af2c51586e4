// Errors that are the user's to fix (bad data, a checkpoint from another spec, a diverging
// run): one clear message and exit 1, never a stack trace.

import { CheckpointError, DataError, DivergenceError } from "../../runtime/index.ts";
import { EXIT_USER } from "./run.ts";

export function reportUserError(e: unknown): boolean {
  if (e instanceof DataError || e instanceof CheckpointError || e instanceof DivergenceError) {
    process.stderr.write(`netspec: error: ${e.message}\n`);
    process.exitCode = EXIT_USER;
    return true;
  }
  return false;
}
