// Which specs the dashboard serves, and the one door a request's spec path goes through:
// a path outside the served folders, or not a served spec, is refused with a clear message.
// Checking and compiling a spec's text go through the CLI's own functions, so the page sees
// exactly what `netspec validate` / `netspec train` would.

import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, extname, join, resolve, sep } from "node:path";
import { compileLoaded, displayPath, type Loaded } from "../../compiler/cli/compile.ts";
import { measureData } from "../../compiler/cli/evidence.ts";
import { checkSizes, DEFAULT_MAX_BYTES } from "../../compiler/cli/sizes.ts";
import { validity } from "../../compiler/cli/validate.ts";
import { planSpec } from "../../compiler/compile.ts";
import { checkSpec, formatDiagnostic, type Diagnostic } from "../../compiler/spec/index.ts";
import { HttpError } from "./http.ts";

export interface Served {
  /** Real paths of the folders whose specs may be asked for. */
  readonly roots: readonly string[];
  /** Display path (as the CLI prints it) → real path, in listing order. */
  readonly specs: ReadonlyMap<string, string>;
}

const isSpecFile = (f: string) => [".yaml", ".yml"].includes(extname(f).toLowerCase());

/** The specs named on the command line: files, or folders (every .yaml in them). Throws a message for a bad argument. */
export function servedSpecs(args: readonly string[]): Served {
  const roots = new Set<string>();
  const specs = new Map<string, string>();
  for (const arg of args.length ? args : ["specs"]) {
    if (!existsSync(arg)) throw new Error(`${arg}: no such file or folder`);
    const real = realpathSync(arg);
    const files = statSync(real).isDirectory()
      ? readdirSync(real).filter(isSpecFile).sort().map((f) => join(arg, f))
      : isSpecFile(arg) ? [arg] : [];
    if (!files.length) throw new Error(`${arg}: ${statSync(real).isDirectory() ? "holds no .yaml specs" : "is not a .yaml spec"}`);
    roots.add(statSync(real).isDirectory() ? real : resolve(real, ".."));
    for (const f of files) specs.set(displayPath(f), realpathSync(f));
  }
  return { roots: [...roots], specs };
}

const inside = (served: Served, real: string) => served.roots.some((r) => real === r || real.startsWith(r + sep));

function realOrSelf(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    return abs; // a missing file: judge where it would be
  }
}

/** A request's spec path → its display path, or an HttpError saying why not. */
export function resolveSpec(served: Served, path: unknown): string {
  if (typeof path !== "string" || path === "") throw new HttpError(400, "'path' must name a spec (a string such as specs/iris.yaml)");
  if (path.length > 4096 || path.includes("\0")) throw new HttpError(400, "'path' is not a file path");
  const real = realOrSelf(resolve(path));
  if (!inside(served, real)) throw new HttpError(403, `${path}: outside the served folders (${served.roots.map(displayPath).join(", ")})`);
  for (const [shown, target] of served.specs) if (target === real) return shown;
  throw new HttpError(404, `${path}: not a served spec (served: ${[...served.specs.keys()].join(", ")})`);
}

/** A diagnostic as the page shows it: its position, and the CLI's exact text (head line, source line, caret). */
export interface PageDiagnostic extends Diagnostic {
  readonly text: string;
}

const forPage = (ds: readonly Diagnostic[], source: string): PageDiagnostic[] => ds.map((d) => ({ ...d, text: formatDiagnostic(d, source) }));

/** `netspec validate` on text in place of the file's contents. */
export function validateText(file: string, source: string): { errors: PageDiagnostic[]; warnings: PageDiagnostic[] } {
  const result = validity(checkSpec(source, file), file);
  return result.ok ? { errors: [], warnings: forPage(result.warnings, source) } : { errors: forPage(result.diagnostics, source), warnings: [] };
}

/**
 * What `loadAll` makes of one file, from text: the spec planned with its data's evidence, sizes
 * checked. Edited text may name any CSV; the dashboard reads data only from the served folders.
 */
export function loadText(served: Served, file: string, source: string): { loaded: Loaded; warnings: PageDiagnostic[] } | { errors: PageDiagnostic[] } {
  const checked = checkSpec(source, file);
  if (!checked.ok) return { errors: forPage(checked.diagnostics, source) };
  const data = checked.spec.data;
  if (data?.kind === "csv" && !inside(served, realOrSelf(resolve(dirname(file), data.csv)))) {
    const message = `data.csv '${data.csv}' is outside the served folders; the dashboard reads data only from them`;
    return { errors: forPage([{ file, ...checked.at(["data", "csv"]), message }], source) };
  }
  const planned = planSpec(checked.spec, measureData(checked.spec, file));
  const sizes = checkSizes(planned, file, checked.at(["train", "batch"]), DEFAULT_MAX_BYTES);
  if (sizes.length) return { errors: forPage(sizes, source) };
  return { loaded: { file, spec: checked.spec, hash: checked.hash, planned, source, at: checked.at }, warnings: forPage(checked.warnings, source) };
}

export { compileLoaded };
