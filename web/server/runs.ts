// Server-side training runs, watched over server-sent events. A run is the runtime's
// train() (it yields to the event loop about every 50 ms, so the server keeps answering);
// its epochs are kept, so a page that connects late still draws the whole curve. Stopping
// the server aborts every run between epochs, as Ctrl-C does to `netspec train`.

import type { ServerResponse } from "node:http";
import { DivergenceError, train, type EpochMetrics, type StepProgress } from "../../runtime/index.ts";
import { summarize, type RunSummary } from "../shared/result.ts";
import { HttpError } from "./http.ts";
import type { Ready } from "./training.ts";

/** Runs at once: each one holds a model and its data set. */
export const MAX_RUNS = 4;
/** Finished runs kept for late watchers; older ones are forgotten. */
const KEEP_FINISHED = 16;
/** Epochs reach the page in bunches at most this often (iris runs thousands a second). */
const FLUSH_MS = 100;

type RunEvent = { type: "epochs"; epochs: EpochMetrics[] } | { type: "progress"; progress: StepProgress } | { type: "done"; summary: RunSummary } | { type: "failed"; error: string };

interface Run {
  readonly id: string;
  readonly spec: string;
  readonly history: EpochMetrics[];
  /** Epochs of history sent to listeners so far; a new listener is sent these, then the rest live. */
  flushed: number;
  readonly abort: AbortController;
  readonly listeners: Set<ServerResponse>;
  end: RunEvent | null;
  finished: Promise<void>;
}

export class Runs {
  private readonly runs = new Map<string, Run>();
  private next = 1;

  start(r: Ready): { id: string } {
    const active = [...this.runs.values()].filter((run) => !run.end).length;
    if (active >= MAX_RUNS) throw new HttpError(429, `${MAX_RUNS} runs are training already; stop one first`);
    const run: Run = { id: String(this.next++), spec: r.file, history: [], flushed: 0, abort: new AbortController(), listeners: new Set(), end: null, finished: Promise.resolve() };
    let progress: StepProgress | null = null;
    const flush = () => {
      if (progress) this.send(run, { type: "progress", progress });
      progress = null;
      if (run.flushed === run.history.length) return;
      this.send(run, { type: "epochs", epochs: run.history.slice(run.flushed) });
      run.flushed = run.history.length;
    };
    const timer = setInterval(flush, FLUSH_MS);
    const onEpoch = (m: EpochMetrics) => void run.history.push(m);
    // Also what makes train() yield within a long epoch (MNIST's take seconds), so the server keeps answering.
    const onProgress = (p: StepProgress) => void (progress = p);
    run.finished = train(r.mod, r.data, { signal: run.abort.signal, onEpoch, onProgress })
      .then((result) => ({ type: "done", summary: summarize(r.mod, result, r.data.test) }) as RunEvent)
      .catch((e: unknown) => {
        if (e instanceof DivergenceError) return { type: "failed", error: `${r.file}: ${e.message}` } as RunEvent;
        return { type: "failed", error: `internal error: ${(e as Error).message}` } as RunEvent;
      })
      .then((end) => {
        clearInterval(timer);
        flush();
        run.end = end;
        this.send(run, end);
        for (const res of run.listeners) res.end();
        run.listeners.clear();
        this.forgetOld();
      });
    this.runs.set(run.id, run);
    return { id: run.id };
  }

  /** The run's events as SSE: everything so far, then live until it ends. */
  watch(id: string, res: ServerResponse): void {
    const run = this.get(id);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(`: run ${run.id} of ${run.spec}\n\n`);
    if (run.flushed) res.write(sse({ type: "epochs", epochs: run.history.slice(0, run.flushed) }));
    if (run.end) return void res.end(sse(run.end));
    run.listeners.add(res);
    res.on("close", () => run.listeners.delete(res));
  }

  stop(id: string): { stopping: boolean } {
    const run = this.get(id);
    run.abort.abort();
    return { stopping: !run.end };
  }

  /** Aborts every run and waits until each has ended (between two epochs). */
  async stopAll(): Promise<void> {
    for (const run of this.runs.values()) run.abort.abort();
    await Promise.all([...this.runs.values()].map((run) => run.finished));
  }

  private forgetOld(): void {
    const finished = [...this.runs.values()].filter((run) => run.end);
    for (const run of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.runs.delete(run.id);
  }

  private get(id: string): Run {
    const run = this.runs.get(id);
    if (!run) throw new HttpError(404, `no run '${id}'`);
    return run;
  }

  private send(run: Run, event: RunEvent): void {
    const text = sse(event);
    for (const res of run.listeners) res.write(text);
  }
}

const sse = (event: RunEvent): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
