// Compiles a spec in memory and imports the result: what `train`, `predict` and the tests use
// when no generated file is wanted. The module goes to a private temp folder and is imported
// from there (a fresh URL each time, so a recompiled module is never served from cache).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BackendName } from "../backend.ts";
import { emitBackend } from "../compile.ts";
import type { PlannedSpec } from "./compile.ts";
import type { CompiledModule } from "../../runtime/module.ts";

let loads = 0;

export async function importCompiled(loaded: PlannedSpec, backend: BackendName = "js"): Promise<CompiledModule> {
  const { spec, planned, hash, file: source } = loaded;
  const code = emitBackend(spec, planned, hash, source, backend)[0]!.text;
  const dir = mkdtempSync(join(tmpdir(), "netspec-"));
  // .mts: the temp folder has no package.json saying "type": "module".
  const file = join(dir, `${spec.name}.mts`);
  try {
    writeFileSync(file, code);
    return (await import(`${pathToFileURL(file).href}?v=${++loads}`)) as CompiledModule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
