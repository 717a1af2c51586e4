// A training run as the page drives it: in this browser, with the generated module and the
// runtime's own train(), or on the server, watched over server-sent events. Both report
// epochs as they come and end with the summary `netspec train --json` would print.

import { train, type CompiledModule, type EpochMetrics, type StepProgress } from "../../runtime/index.ts";
import { summarize, type RunSummary } from "../shared/result.ts";
import { decodeDataset } from "../shared/wire.ts";
import { api, type RunEvent, type Spec } from "./api.ts";

export interface RunView {
  /** Every epoch so far (the same array each time, grown). */
  epochs(history: EpochMetrics[]): void;
  /** Where training is within an epoch, at most every 100 ms: steps done and the seconds they took. */
  progress(p: StepProgress): void;
  done(summary: RunSummary): void;
  failed(message: string): void;
}

export interface RunHandle {
  stop(): void;
  readonly finished: Promise<void>;
}

/** Loads the module the server compiled as JavaScript: it has no imports, so a blob URL is all it needs. */
async function loadModule(js: string): Promise<CompiledModule> {
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  try {
    return (await import(/* @vite-ignore */ url)) as CompiledModule;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function trainInBrowser(spec: Spec, view: RunView): Promise<RunHandle> {
  const reply = await api.module(spec);
  const mod = await loadModule(reply.js);
  const data = { train: decodeDataset(reply.train), test: reply.test && decodeDataset(reply.test) };
  const abort = new AbortController();
  const history: EpochMetrics[] = [];
  const finished = train(mod, data, {
    signal: abort.signal,
    onEpoch: (m) => void (history.push(m), view.epochs(history)),
    // Also what makes train() yield to the page within a long epoch.
    onProgress: (p) => view.progress(p),
  }).then(
    (result) => view.done(summarize(mod, result, data.test)),
    (e: unknown) => view.failed((e as Error).message),
  );
  return { stop: () => abort.abort(), finished };
}

export async function trainOnServer(spec: Spec, view: RunView): Promise<RunHandle> {
  const { id } = await api.startRun(spec);
  const history: EpochMetrics[] = [];
  const events = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  let settle = () => {};
  const finished = new Promise<void>((resolve) => (settle = resolve));
  const end = () => (events.close(), settle());
  const on = (type: RunEvent["type"], f: (e: RunEvent) => void) => events.addEventListener(type, (e) => f(JSON.parse((e as MessageEvent<string>).data) as RunEvent));
  on("epochs", (e) => e.type === "epochs" && (history.push(...e.epochs), view.epochs(history)));
  on("progress", (e) => e.type === "progress" && view.progress(e.progress));
  on("done", (e) => e.type === "done" && (view.done(e.summary), end()));
  on("failed", (e) => e.type === "failed" && (view.failed(e.error), end()));
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) (view.failed("lost the connection to the server"), end());
  };
  return { stop: () => void api.stopRun(id).catch((e: Error) => view.failed(e.message)), finished };
}
