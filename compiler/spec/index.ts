// The spec front end: text → YAML document → zod validation → normalized Spec → cross-field
// rules. Each phase is a pure function; every error is collected with its line and column.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { capDiagnostics, type Diagnostic, sortDiagnostics } from "./diagnostic.ts";
import { errorMap, findings, place } from "./issues.ts";
import { normalize } from "./normalize.ts";
import { nodeOffset, parseYaml } from "./parse.ts";
import { crossRules } from "./rules.ts";
import { JS_RESERVED, specSchema } from "./schema.ts";
import { checkGraph, type RawGraph } from "./graph/check.ts";
import type { Spec } from "./types.ts";

export { formatDiagnostic, type Diagnostic } from "./diagnostic.ts";
export { specJsonSchema, specSchema } from "./schema.ts";
export type { Spec } from "./types.ts";

export type CheckResult =
  | {
      ok: true;
      spec: Spec;
      hash: string;
      warnings: Diagnostic[];
      /** The line and column of the YAML node at a spec path (or of its nearest parent). */
      at(path: readonly (string | number)[]): { line: number; col: number };
    }
  | { ok: false; diagnostics: Diagnostic[] };

export function checkSpec(text: string, file: string): CheckResult {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const result = specSchema.safeParse(parsed.parsed.value, { error: errorMap });
  if (!result.success) {
    const found = capDiagnostics(findings(result.error.issues), (n, total) => ({ path: [], message: `too many errors (${total}); the first ${n} are shown` }));
    return { ok: false, diagnostics: sortDiagnostics(place(found, parsed.parsed, file)) };
  }
  const raw = result.data;
  const graph = raw.graph ? checkGraph(raw as RawGraph, JS_RESERVED) : { findings: [], warnings: [], graph: null };
  if (graph.findings.length) return { ok: false, diagnostics: sortDiagnostics(place(graph.findings, parsed.parsed, file)) };
  const spec = normalize(raw, graph.graph);
  const broken = crossRules(spec);
  if (broken.length) return { ok: false, diagnostics: sortDiagnostics(place(broken, parsed.parsed, file)) };
  const warnings = sortDiagnostics(place(graph.warnings, parsed.parsed, file)).map((d) => ({ ...d, severity: "warning" as const }));
  const at = (path: readonly (string | number)[]) => parsed.parsed.lines.linePos(nodeOffset(parsed.parsed.doc, path));
  return { ok: true, spec, hash: createHash("sha256").update(text).digest("hex"), warnings, at };
}

/** Reads and checks a spec file; the source text comes back too, for formatting diagnostics. */
export function loadSpec(file: string): CheckResult & { source: string } {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message;
    return { ok: false, diagnostics: [{ file, line: 1, col: 1, message: `cannot read spec: ${why}` }], source: "" };
  }
  return { ...checkSpec(source, file), source };
}
