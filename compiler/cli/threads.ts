// `train --threads N`: the one place that both compiles (the spec for batch/N rows) and
// starts the runtime's threaded model. Shard modules go to a private temp folder, which is
// removed once every worker has imported its module.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createThreadedModel, ShardingError, type ThreadedModel } from "../../runtime/threads/model.ts";
import type { CompiledModule } from "../../runtime/module.ts";
import { emitBackend, planSpec, type Planned } from "../compile.ts";
import { chooseThreads, shardRefusal, shardSpecs, type ThreadChoice } from "../shard.ts";
import type { Spec } from "../spec/types.ts";
import type { PlannedSpec } from "./compile.ts";
import { chooseBackend, type BackendName } from "../backend.ts";

/** What --threads asked for: a count, or the default (what wins on this machine for this spec and backend). */
function resolveThreads(loaded: PlannedSpec, flag: number | undefined, backend: BackendName): ThreadChoice {
  if (flag !== undefined) return { threads: flag, why: "--threads" };
  return chooseThreads(loaded.spec, loaded.planned, availableParallelism(), backend);
}

/** The backend and thread count `train` uses for --backend and --threads (undefined: not given); threads shard either backend's module. */
export function resolveRun(loaded: PlannedSpec, backendFlag: BackendName | "auto", threadsFlag: number | undefined): ThreadChoice & { backend: BackendName } {
  const backend = backendFlag !== "auto" ? backendFlag : chooseBackend(loaded.planned.graph, loaded.planned.plan).backend;
  return { backend, ...resolveThreads(loaded, threadsFlag, backend) };
}

/** Why the spec cannot train on `threads` threads (as `file: message`), or null. */
export function threadsRefusal(loaded: PlannedSpec, threads: number): string | null {
  if (threads === 1) return null;
  const why = shardRefusal(loaded.spec, loaded.planned, threads);
  return why && `${loaded.file}: --threads ${threads}: ${why}`;
}

/** The compile options the full module was planned with: which inputs were measured sparse. */
const sparseInputs = (planned: Planned): string[] =>
  planned.forward.inputs.filter((p) => planned.forward.values[p.value]!.sparse).map((p) => p.name);

let loads = 0;

/**
 * Compiles the shard modules for `backend` (each thread gets its own module instance, so a
 * wasm shard has its own memory) and starts the workers; a spec threadsRefusal refuses
 * throws a ShardingError.
 */
export async function startThreads(loaded: PlannedSpec, mod: CompiledModule, threads: number, backend: BackendName): Promise<ThreadedModel> {
  const refusal = threadsRefusal(loaded, threads);
  if (refusal) throw new ShardingError(refusal);
  const specs = shardSpecs(loaded.spec, threads, mod.LOSS_ROWS);
  const options = { sparseInputs: sparseInputs(loaded.planned) };
  const dir = mkdtempSync(join(tmpdir(), "netspec-shards-"));
  const write = (spec: Spec, name: string): string => {
    const code = emitBackend(spec, planSpec(spec, options), loaded.hash, loaded.file, backend)[0]!.text;
    const file = join(dir, `${name}.mts`); // .mts: the temp folder has no package.json
    writeFileSync(file, code);
    return `${pathToFileURL(file).href}?v=${++loads}`;
  };
  try {
    const leadUrl = write(specs.lead, `${loaded.spec.name}.shard`);
    const restUrl = specs.sameModule ? leadUrl : write(specs.rest, `${loaded.spec.name}.shard-nopenalty`);
    const lead = (await import(leadUrl)) as CompiledModule;
    return await createThreadedModel(mod, { lead, restUrl }, threads);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
