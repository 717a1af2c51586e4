// Training progress on stderr: a live bar on a terminal, otherwise about twenty plain lines.

import cliProgress from "cli-progress";
import type { EpochMetrics } from "../../runtime/index.ts";

export interface Progress {
  epoch(m: EpochMetrics): void;
  done(): void;
}

const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);

export function progressReporter(epochs: number, quiet: boolean): Progress {
  const line = (m: EpochMetrics) =>
    `epoch ${m.epoch}/${epochs}  loss ${m.loss.toFixed(4)}  acc ${pct(m.trainAccuracy)}` +
    (m.testLoss === null ? "" : `  test loss ${m.testLoss.toFixed(4)}  test acc ${pct(m.testAccuracy)}`);
  if (process.stderr.isTTY && !quiet) {
    const bar = new cliProgress.SingleBar(
      { format: "training [{bar}] {value}/{total} epochs | {metrics}", stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(epochs, 0, { metrics: "" });
    return {
      epoch: (m) => bar.update(m.epoch, { metrics: line(m).replace(/^epoch \S+\s+/, "") }),
      done: () => bar.stop(),
    };
  }
  const every = Math.max(1, Math.ceil(epochs / 20));
  let last: EpochMetrics | null = null;
  let printed = 0;
  return {
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
