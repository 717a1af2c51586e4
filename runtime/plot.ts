// An SVG chart of a training run: loss (train and test), accuracy, and the learning rate
// when it changes.
// Plain SVG text, no dependencies; written to a temp file and renamed into place.

import { renameSync, writeFileSync } from "node:fs";
import type { EpochMetrics } from "./trainer.ts";

interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const W = 420;
const H = 280;
const PAD = { left: 52, right: 12, top: 30, bottom: 36 };

const escape = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2));

/** A chart; the legend goes where the curves usually are not (top right for a falling loss,
 *  bottom right for a rising accuracy). */
function panel(title: string, series: readonly Series[], x0: number, legend: "top" | "bottom", yRange?: [number, number]): string {
  const pts = series.flatMap((s) => s.points);
  if (pts.length === 0) return "";
  const maxX = Math.max(...pts.map((p) => p[0]), 1);
  const [lo, hi] = yRange ?? [Math.min(0, ...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]), 1e-9)];
  const sx = (x: number) => x0 + PAD.left + ((x - 1) / Math.max(maxX - 1, 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => PAD.top + (1 - (y - lo) / (hi - lo || 1)) * (H - PAD.top - PAD.bottom);
  const out = [
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${x0 + PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#999"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const y = lo + ((hi - lo) * k) / 4;
    out.push(`<text x="${x0 + PAD.left - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const e of [...new Set([1, Math.round((1 + maxX) / 2), maxX])])
    out.push(`<text x="${sx(e).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${e}</text>`);
  out.push(`<text x="${x0 + W / 2}" y="${H - 6}" text-anchor="middle">epoch</text>`);
  series.forEach((s, k) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    const y = legend === "top" ? PAD.top + 14 + 14 * k : H - PAD.bottom - 8 - 14 * (series.length - 1 - k);
    out.push(`<text x="${x0 + W - PAD.right - 4}" y="${y}" text-anchor="end" fill="${s.color}">${escape(s.label)}</text>`);
  });
  return out.join("\n");
}

export function svgPlot(history: readonly EpochMetrics[], title: string): string {
  const of = (f: (m: EpochMetrics) => number | null) =>
    history.flatMap((m) => (f(m) === null || !Number.isFinite(f(m)!) ? [] : [[m.epoch, f(m)!] as const]));
  const loss = panel(`${title} — loss`, [
    { label: "train loss", color: "#1f77b4", points: of((m) => m.loss) },
    { label: "test loss", color: "#ff7f0e", points: of((m) => m.testLoss) },
  ], 0, "top");
  const hasAccuracy = history.some((m) => m.trainAccuracy !== null);
  const acc = hasAccuracy
    ? panel("accuracy", [
        { label: "train accuracy", color: "#2ca02c", points: of((m) => m.trainAccuracy) },
        { label: "test accuracy", color: "#d62728", points: of((m) => m.testAccuracy) },
      ], W, "bottom", [0, 1])
    : "";
  // The learning rate, when a schedule or a warmup makes it change.
  const lrs = of((m) => m.lr);
  const changes = lrs.some((p) => p[1] !== lrs[0]?.[1]);
  const lr = changes ? panel("learning rate", [{ label: "lr", color: "#9467bd", points: lrs }], (hasAccuracy ? 2 : 1) * W, "top") : "";
  const width = (1 + (hasAccuracy ? 1 : 0) + (changes ? 1 : 0)) * W;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n${loss}\n${acc}\n${lr}\n</svg>\n`;
}

export function writeSvgPlot(file: string, history: readonly EpochMetrics[], title: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, svgPlot(history, title));
  renameSync(tmp, file);
}
