// A worker's entry point: the generated shard module and worker.ts are TypeScript, so the
// worker registers tsx's loader (as compiler/bin.mjs does for the CLI) before importing them.
import { register } from "tsx/esm/api";
register();
await import("./worker.ts");
