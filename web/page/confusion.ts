// The test split's confusion matrix as a table: rows are the truth, columns the prediction,
// cells shaded by their share of the row, with each class's recall and precision.

import type { RunSummary } from "../shared/result.ts";

const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);

function cell(tag: "td" | "th", text: string, cls?: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

export function renderConfusion(host: HTMLElement, c: NonNullable<RunSummary["confusion"]>): void {
  const table = document.createElement("table");
  table.className = "confusion-matrix";
  const caption = document.createElement("caption");
  caption.textContent = "test split: rows are the true class, columns the predicted one";
  table.append(caption);
  const head = document.createElement("tr");
  head.append(cell("th", "truth \\ predicted"), ...c.classes.map((n) => cell("th", n)), cell("th", "recall"));
  table.append(head);
  c.matrix.forEach((row, k) => {
    const tr = document.createElement("tr");
    const total = row.reduce((s, v) => s + v, 0) || 1;
    tr.append(cell("th", c.classes[k]!));
    row.forEach((v, j) => {
      const td = cell("td", String(v), j === k ? "hit" : v ? "miss" : "");
      td.style.setProperty("--share", String(v / total));
      tr.append(td);
    });
    tr.append(cell("td", pct(c.recall[k]!), "ratio"));
    table.append(tr);
  });
  const foot = document.createElement("tr");
  foot.append(cell("th", "precision"), ...c.precision.map((p) => cell("td", pct(p), "ratio")), cell("td", ""));
  table.append(foot);
  host.replaceChildren(table);
}
