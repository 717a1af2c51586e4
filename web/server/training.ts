// A spec made ready to train, as `netspec train` makes it: compiled in memory for the backend
// `--backend auto` picks (the wasm module has no imports and instantiates synchronously, in
// browsers too), its data loaded, split and standardized with the spec's seed. The module is
// transpiled to plain JavaScript once; the browser trains that very text, and a server-side
// run imports it too.

import { dirname } from "node:path";
import { ts } from "ts-morph";
import { prepareData, DataError, type CompiledModule, type Dataset } from "../../runtime/index.ts";
import type { Spec } from "../../compiler/spec/index.ts";
import { HttpError } from "./http.ts";
import { chooseBackend } from "../../compiler/backend.ts";
import { emitBackend } from "../../compiler/compile.ts";
import { loadText, type PageDiagnostic, type Served } from "./specs.ts";

export interface Ready {
  readonly file: string;
  readonly spec: Spec;
  /** The generated module as JavaScript (it has no imports: a browser can load it as is). */
  readonly js: string;
  readonly mod: CompiledModule;
  readonly data: { readonly train: Dataset; readonly test: Dataset | null };
  readonly warnings: readonly PageDiagnostic[];
}

/** A spec the page cannot train: its errors (positioned, as the CLI prints them) or one message. */
export class NotTrainable extends HttpError {
  constructor(message: string, readonly diagnostics: readonly PageDiagnostic[] = []) {
    super(422, message);
  }
}

let loads = 0;

export async function ready(served: Served, file: string, source: string): Promise<Ready> {
  const result = loadText(served, file, source);
  if ("errors" in result) throw new NotTrainable(`${file}: the spec has errors`, result.errors);
  const { loaded, warnings } = result;
  const { spec } = loaded;
  const why = untrainable(spec, file);
  if (why) throw new NotTrainable(why);
  if (!spec.data) throw new Error("unreachable: untrainable() checks data");
  const backend = chooseBackend(loaded.planned.graph, loaded.planned.plan).backend;
  const js = toJavaScript(emitBackend(spec, loaded.planned, loaded.hash, loaded.file, backend)[0]!.text);
  // A fresh URL per load: a module imported once is cached under its URL.
  const url = `data:text/javascript;base64,${Buffer.from(`${js}\n// load ${++loads}`).toString("base64")}`;
  const mod = (await import(url)) as CompiledModule;
  try {
    const shape = { inputSize: mod.INPUT_SIZE, outputSize: mod.OUTPUT_SIZE, target: mod.TARGET ?? "vector" };
    const data = prepareData(spec.data, { baseDir: dirname(file), seed: spec.seed, inputSize: spec.input, shape });
    return { file, spec, js, mod, data: { train: data.train, test: data.test }, warnings };
  } catch (e) {
    if (e instanceof DataError) throw new NotTrainable(e.message);
    throw e;
  }
}

/** Why the dashboard cannot train this spec (the CLI's own words, compiler/cli/train.ts), or null. */
export function untrainable(spec: Spec, file: string): string | null {
  if (!spec.loss) return `${file}: the spec has no loss, so there is nothing to train; \`netspec grad ${file}\` shows its value and gradients`;
  if (!spec.data) return `${file}: the spec names no data; add a data: section to train it here`;
  return null;
}

/** Types erased, nothing else changed: the emitted code is already ES2022. */
export function toJavaScript(code: string): string {
  const out = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: false },
    reportDiagnostics: false,
  });
  return out.outputText;
}
