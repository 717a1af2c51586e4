// Diagnostics: compiler-style errors with 1-based positions, and their text form
// `file:line:col: error: message`, the source line and a caret under the column.

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  /** Errors stop the command; a warning is printed and the work goes on. */
  readonly severity?: "warning";
}

/** Past this many errors a file is not a spec gone wrong but something else: stop there. */
export const MAX_DIAGNOSTICS = 100;

/** At most MAX_DIAGNOSTICS (placing and printing each costs time), then one line saying so. */
export function capDiagnostics<T>(ds: readonly T[], overflow: (shown: number, total: number) => T): T[] {
  return ds.length <= MAX_DIAGNOSTICS ? [...ds] : [...ds.slice(0, MAX_DIAGNOSTICS), overflow(MAX_DIAGNOSTICS, ds.length)];
}

/** Sorted by position, exact duplicates dropped (two phases may notice the same thing). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...ds].sort((a, b) => a.line - b.line || a.col - b.col)) {
    const key = `${d.file}:${d.line}:${d.col}:${d.message}`;
    if (!seen.has(key)) out.push(d), seen.add(key);
  }
  return out;
}

export function formatDiagnostic(d: Diagnostic, source: string): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity ?? "error"}: ${d.message}`;
  const text = source.split(/\r?\n/)[d.line - 1];
  if (text === undefined || (text === "" && d.line === 1 && source === "")) return head;
  const gutter = String(d.line);
  const pad = " ".repeat(gutter.length);
  // Keep tabs in the caret line so the caret sits under the same column as the source.
  const lead = [...text.slice(0, Math.max(0, d.col - 1))].map((c) => (c === "\t" ? "\t" : " ")).join("");
  return `${head}\n ${gutter} | ${text}\n ${pad} | ${lead}^`;
}
