// Why netspec's engines part ways on mnist_cnn (and not on the dense networks): the gradient
// of a relu/max-pool network is discontinuous where a relu input or a max-pool comparison
// crosses zero or a tie. Training the JS and wasm modules side by side from the same weights
// on the same batches, their gradients agree to float32 rounding (~1e-6 of their scale) until,
// at some step, one of them jumps by ~1e-3. At that step this script shows the jump is the
// function's own, not an engine's: nudging either module's parameters by about one float32
// ulp (one part in 10⁷) does not, but by 10⁻⁶, which is the size of the rounding differences
// between the engines, makes either module alone jump as far in some tries, at the same
// parameters. (Measured: step 363, the jump at b1; 7 and 4 of 16 tries at 10⁻⁶.)
//
//   npx tsx bench/kinks.ts [max-steps]

import * as js from "../generated/mnist_cnn.ts";
import * as wasm from "../generated/mnist_cnn.wasm.ts";
import { prepareData, type Model } from "../runtime/index.ts";
import { Rng } from "../runtime/rng.ts";

const maxSteps = Number(process.argv[2] ?? 400);
const data = prepareData(
  { kind: "builtin", builtin: "mnist", test_split: 0.2, stratified: true, standardize: false, limit: null },
  { baseDir: ".", seed: 7, inputSize: 784 },
).train;
const [a, b] = [js.createModel(), wasm.createModel()];
a.init(7);
b.init(7);

/** max |x − y| over max |x|, and where it is. */
function difference(x: Float32Array, y: Float32Array): { rel: number; at: number } {
  let d = 0, s = 0, at = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i]! - y[i]!);
    if (e > d) [d, at] = [e, i];
    s = Math.max(s, Math.abs(x[i]!));
  }
  return { rel: d / s, at };
}
const paramOf = (i: number) => js.PARAMS.find((p) => i >= p.offset && i < p.offset + p.size)!;
const paramAt = (i: number) => paramOf(i).name;
const gradients = (m: Model) => {
  m.forward();
  m.lossTerms();
  m.backward();
  return m.grads.slice();
};
function feed(step: number): void {
  for (const m of [a, b]) {
    for (let r = 0; r < js.BATCH; r++) {
      const row = (step * js.BATCH + r) % data.rows;
      m.input.set(data.features.subarray(row * 784, (row + 1) * 784), r * 784);
      (m.target as Int32Array)[r] = data.labels![row]!;
    }
  }
}

for (let step = 0; step < maxSteps; step++) {
  feed(step);
  const [ga, gb] = [gradients(a), gradients(b)];
  const d = difference(ga, gb);
  if (step % 10 === 0) process.stdout.write(`step ${step}: JS and wasm gradients differ by ${d.rel.toExponential(1)} of their scale\n`);
  if (d.rel > 1e-4) {
    const p = paramOf(d.at);
    process.stdout.write(`step ${step}: the gradients jump apart, ${d.rel.toExponential(2)} at ${p.name}[${d.at - p.offset}]\n`);
    // Each module alone, from its own parameters, nudged by up to `scale` relative: how often does its gradient jump as far?
    const rng = new Rng(1);
    for (const [name, m, g] of [["JS", a, ga], ["wasm", b, gb]] as const) {
      const p0 = m.params.slice();
      for (const scale of [1e-7, 1e-6]) {
        let jumps = 0, where = "";
        for (let t = 0; t < 16; t++) {
          for (let i = 0; i < p0.length; i++) m.params[i] = p0[i]! * (1 + (rng.next() - 0.5) * 2 * scale);
          const e = difference(g, gradients(m));
          if (e.rel > 1e-4) [jumps, where] = [jumps + 1, paramAt(e.at)];
        }
        process.stdout.write(`  the ${name} module alone, parameters nudged by ≤ ${scale.toExponential(0)}: its gradient jumps (> 1e-4) in ${jumps} of 16 tries${jumps ? ` (at ${where})` : ""}\n`);
      }
      m.params.set(p0);
    }
    process.exit(0);
  }
  for (const m of [a, b]) for (let i = 0; i < m.params.length; i++) m.params[i]! -= 0.05 * m.grads[i]!;
}
process.stdout.write(`no jump in ${maxSteps} steps\n`);
