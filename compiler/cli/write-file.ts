// Output files are written to a temp name beside them and renamed into place: a reader never
// sees half a file, and a failure leaves none.

import { renameSync, rmSync, writeFileSync } from "node:fs";
import { usage } from "./run.ts";

/** Writes `data` to `file` atomically; a path that cannot be written is a user error (exit 1). Returns whether it was written. */
export function writeAtomically(file: string, data: string | Uint8Array): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    return true;
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* in a path that cannot be written, removing can fail too */ }
    usage(`cannot write ${file}: ${(e as Error).message}`);
    return false;
  }
}
