// Writes teacher.csv: 2048 rows of 32 uniform features and the 10 outputs of a fixed random
// tanh network (32 → 16 tanh → 10). Deterministic: rerunning gives the same file.
// Run: npx tsx specs/data/make_teacher.ts
import { writeFileSync } from "node:fs";

let state = 12345;
const uniform = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const matrix = (rows: number, cols: number, scale: number) =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => (uniform() * 2 - 1) * scale));

const [inputs, hidden, outputs, rows] = [32, 16, 10, 2048];
const w1 = matrix(inputs, hidden, 0.5);
const w2 = matrix(hidden, outputs, 0.5);
const lines = [[...Array.from({ length: inputs }, (_, i) => `x${i}`), ...Array.from({ length: outputs }, (_, i) => `y${i}`)].join(",")];
for (let r = 0; r < rows; r++) {
  const x = Array.from({ length: inputs }, () => uniform() * 2 - 1);
  const h = w1[0]!.map((_, j) => Math.tanh(x.reduce((s, xi, i) => s + xi * w1[i]![j]!, 0)));
  const y = w2[0]!.map((_, k) => h.reduce((s, hj, j) => s + hj * w2[j]![k]!, 0));
  lines.push([...x, ...y].map((v) => v.toFixed(5)).join(","));
}
writeFileSync(new URL("./teacher.csv", import.meta.url), lines.join("\n") + "\n");
