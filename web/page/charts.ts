// Loss, accuracy and learning-rate curves per epoch (uPlot), redrawn at most once a frame
// however fast epochs arrive. uPlot marks the points while there are few of them.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { EpochMetrics } from "../../runtime/index.ts";

interface Chart {
  readonly plot: uPlot;
  readonly series: ((m: EpochMetrics) => number | null)[];
}

const COLORS = { train: "#2563eb", test: "#dc2626", lr: "#059669" };

function chart(el: HTMLElement, series: { label: string; color: string; value: (m: EpochMetrics) => number | null }[], log = false): Chart {
  const opts: uPlot.Options = {
    width: Math.max(240, el.clientWidth || 320),
    height: 180,
    // uPlot's own log range (whole decades): a range fitted tighter sent its log tick loop astray.
    scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
    // Epochs are whole numbers: no ticks at 1.5.
    axes: [{ label: "epoch", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6] }, { size: 56 }],
    legend: { live: false },
    series: [{ label: "epoch" }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5 }))],
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], el);
  return { plot, series: series.map((s) => s.value) };
}

export class Curves {
  private readonly charts: Chart[];
  private history: EpochMetrics[] = [];
  private queued = false;

  constructor(loss: HTMLElement, accuracy: HTMLElement, lr: HTMLElement) {
    this.charts = [
      chart(loss, [
        { label: "train loss", color: COLORS.train, value: (m) => m.loss },
        { label: "test loss", color: COLORS.test, value: (m) => m.testLoss },
      ], true),
      chart(accuracy, [
        { label: "train accuracy", color: COLORS.train, value: (m) => m.trainAccuracy },
        { label: "test accuracy", color: COLORS.test, value: (m) => m.testAccuracy },
      ]),
      chart(lr, [{ label: "learning rate", color: COLORS.lr, value: (m) => m.lr }]),
    ];
    window.addEventListener("resize", () => this.resize());
  }

  reset(): void {
    this.history = [];
    this.draw();
  }

  /** The run's epochs so far (the array is read, not copied: it may keep growing). */
  show(history: EpochMetrics[]): void {
    this.history = history;
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => ((this.queued = false), this.draw()));
  }

  private draw(): void {
    const x = this.history.map((m) => m.epoch);
    for (const c of this.charts) c.plot.setData([x, ...c.series.map((f) => this.history.map(f))] as uPlot.AlignedData);
  }

  private resize(): void {
    for (const c of this.charts) c.plot.setSize({ width: Math.max(240, c.plot.root.parentElement!.clientWidth), height: 180 });
  }
}
