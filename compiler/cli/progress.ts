// Training progress on stderr. On a terminal: a bar that moves within each epoch (at most
// every 100 ms) with steps/s and an ETA, and the last epoch's metrics. Otherwise: plain lines,
// about twenty per run, one per epoch at most.

import cliProgress from "cli-progress";
import type { EpochMetrics, StepProgress } from "../../runtime/index.ts";

export interface Progress {
  epoch(m: EpochMetrics): void;
  step(p: StepProgress): void;
  done(): void;
}

const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);

/** `1:05`, `12s`: short durations for an ETA. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function progressReporter(epochs: number, quiet: boolean): Progress {
  const line = (m: EpochMetrics) =>
    `epoch ${m.epoch}/${epochs}  loss ${m.loss.toFixed(4)}${m.trainAccuracy === null ? "" : `  acc ${pct(m.trainAccuracy)}`}` +
    (m.testLoss === null ? "" : `  test loss ${m.testLoss.toFixed(4)}  test acc ${pct(m.testAccuracy)}`);
  if (process.stderr.isTTY && !quiet) {
    const bar = new cliProgress.SingleBar(
      { format: "epoch {epoch}/{epochs} [{bar}] {rate} steps/s, ETA {eta_text} | {metrics}", stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    // The bar counts steps, so it moves within an epoch; its total is known from the first
    // report, and the rate is measured from there on.
    let started = false;
    let metrics = "";
    let first: StepProgress | null = null;
    return {
      step: (p) => {
        first ??= p;
        const rate = p.trainSeconds > first.trainSeconds ? (p.steps - first.steps) / (p.trainSeconds - first.trainSeconds) : 0;
        const total = epochs * p.batches;
        const done = (p.epoch - 1) * p.batches + p.batch;
        const values = { epoch: p.epoch, epochs, rate: rate ? rate.toFixed(0) : "…", eta_text: rate ? duration((total - done) / rate) : "…", metrics };
        if (!started) bar.start(total, done, values), (started = true);
        else bar.update(done, values);
      },
      epoch: (m) => {
        metrics = line(m).replace(/^epoch \S+\s+/, "");
        if (started) bar.update({ metrics });
      },
      done: () => {
        if (!started) return;
        bar.update(bar.getTotal(), { eta_text: "0s" });
        bar.stop();
      },
    };
  }
  const every = Math.max(1, Math.ceil(epochs / 20));
  let last: EpochMetrics | null = null;
  let printed = 0;
  return {
    step: () => {},
    epoch: (m) => {
      last = m;
      if (m.epoch % every === 0 || m.epoch === 1) {
        process.stderr.write(`${line(m)}\n`);
        printed = m.epoch;
      }
    },
    done: () => {
      if (last && printed !== last.epoch) process.stderr.write(`${line(last)}\n`);
    },
  };
}
