// Output files are written to a temp name beside them and renamed into place: a reader never
// sees half a file, and a failure leaves none.

import { renameSync, rmSync, writeFileSync } from "node:fs";
import { own } from "../../runtime/own.ts";
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
    usage(`cannot write ${file}: ${why(e as NodeJS.ErrnoException)}`);
    return false;
  }
}

/** The reason in words, without the temp file's name that Node's message carries. */
function why(e: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = { ENOENT: "no such folder", EACCES: "permission denied", EISDIR: "it is a folder", ENOTDIR: "a part of the path is not a folder", EROFS: "read-only file system", ENOSPC: "no space left on the device" };
  return (e.code ? own(reasons, e.code) : undefined) ?? e.message;
}
