// The server's API, as the page calls it. A refused request becomes an ApiError carrying the
// server's message (and a spec's positioned diagnostics, when that is why).

import type { EpochMetrics, StepProgress } from "../../runtime/index.ts";
import type { RunSummary } from "../shared/result.ts";
import type { WireDataset } from "../shared/wire.ts";

export interface PageDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly severity?: "warning";
  /** The CLI's text: `file:line:col: error: …`, the source line, the caret. */
  readonly text: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly diagnostics: readonly PageDiagnostic[] = []) {
    super(message);
  }
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, method === "POST" ? { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {});
  const value = await res.json();
  if (!res.ok) throw new ApiError(res.status, value.error ?? res.statusText, value.diagnostics ?? []);
  return value as T;
}

export interface Spec {
  readonly path: string;
  readonly source: string;
}
export interface Inspection {
  readonly errors: PageDiagnostic[];
  readonly warnings?: PageDiagnostic[];
  readonly name?: string;
  /** Why it cannot be trained here (no loss, no data), or null. */
  readonly untrainable?: string | null;
  readonly explain: string | null;
  readonly svg: string | null;
}
export interface ModuleReply {
  readonly name: string;
  readonly js: string;
  readonly train: WireDataset;
  readonly test: WireDataset | null;
}
export type RunEvent = { type: "epochs"; epochs: EpochMetrics[] } | { type: "progress"; progress: StepProgress } | { type: "done"; summary: RunSummary } | { type: "failed"; error: string };

export const api = {
  specs: () => call<{ specs: string[] }>("GET", "/api/specs"),
  schema: () => call<object>("GET", "/api/schema"),
  source: (path: string) => call<Spec>("GET", `/api/source?path=${encodeURIComponent(path)}`),
  validate: (s: Spec) => call<{ errors: PageDiagnostic[]; warnings: PageDiagnostic[] }>("POST", "/api/validate", s),
  inspect: (s: Spec) => call<Inspection>("POST", "/api/inspect", s),
  module: (s: Spec) => call<ModuleReply>("POST", "/api/module", s),
  startRun: (s: Spec) => call<{ id: string }>("POST", "/api/runs", s),
  stopRun: (id: string) => call<{ stopping: boolean }>("POST", `/api/runs/${encodeURIComponent(id)}/stop`, {}),
};
