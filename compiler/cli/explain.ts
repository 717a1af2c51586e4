// `netspec explain <spec.yaml>`: per-layer shapes, parameters, FLOPs and arena bytes.

import type { Command } from "commander";
import { explain } from "../explain.ts";
import { compileLoaded, loadAll } from "./compile.ts";
import { EXIT_USER, guard } from "./run.ts";
import { resolveRun } from "./threads.ts";

export function registerExplain(program: Command): void {
  const cmd = program
    .command("explain")
    .description("print each layer's output shape, parameters and FLOPs per step, and the buffer sizes")
    .argument("<spec...>", "spec files");
  cmd.action(
    guard(() => cmd, (files: string[]) => {
      const loaded = loadAll(files);
      if (!loaded) return void (process.exitCode = EXIT_USER);
      for (const l of loaded) {
        process.stdout.write(`${l.file} (${l.spec.name})\n${explain(l.spec, compileLoaded(l))}`);
        // What `train` would use by default here: it depends on this machine's cores.
        if (l.spec.loss) {
          const { backend, threads, why } = resolveRun(l, "auto", undefined);
          process.stdout.write(`\ntrain threads: ${threads} on the ${backend} backend (${why}; --threads N overrides)\n`);
        }
      }
    }),
  );
}
