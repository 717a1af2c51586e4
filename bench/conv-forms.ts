// Measures each convolution kernel (forward, input gradient, weight gradient) in both emitted
// forms, direct and im2col + GEMM, on the layer shapes listed below, side by side in one run,
// and prints the table that compiler/ops/conv/forms.ts records (MEASURED).
//
//   npx tsx bench/conv-forms.ts            # ~1 minute
//   CONV_SECONDS=0.5 npx tsx bench/conv-forms.ts
import { CodeBlockWriter } from "ts-morph";
import type { Node, Value } from "../compiler/ir/types.ts";
import { shapeKey, type ConvForm, type ConvPass, type ConvShape } from "../compiler/ops/conv/forms.ts";
import { axis } from "../compiler/ops/conv/geometry.ts";
import { opDef } from "../compiler/ops/registry.ts";

const BATCH = 32;
const SECONDS = Number(process.env.CONV_SECONDS ?? 0.25);
const ROUNDS = 5;

/** The shapes measured: mnist_cnn's two layers (the first reads pixels), and common 3×3 layers. */
const ALL: (ConvShape & { pixels: boolean })[] = [
  { h: 28, w: 28, c: 1, kh: 5, kw: 5, sh: 1, sw: 1, padding: "valid", filters: 8, pixels: true },
  { h: 12, w: 12, c: 8, kh: 5, kw: 5, sh: 1, sw: 1, padding: "valid", filters: 16, pixels: false },
  { h: 28, w: 28, c: 1, kh: 3, kw: 3, sh: 1, sw: 1, padding: "same", filters: 32, pixels: true },
  { h: 14, w: 14, c: 32, kh: 3, kw: 3, sh: 1, sw: 1, padding: "same", filters: 64, pixels: false },
  { h: 32, w: 32, c: 3, kh: 3, kw: 3, sh: 1, sw: 1, padding: "same", filters: 16, pixels: true },
  { h: 16, w: 16, c: 16, kh: 3, kw: 3, sh: 2, sw: 2, padding: "same", filters: 32, pixels: false },
];
/** CONV_SHAPES=0,1 measures a subset (indices into the list above). */
const SHAPES = process.env.CONV_SHAPES ? process.env.CONV_SHAPES.split(",").map((i) => ALL[Number(i)]!) : ALL;

const value = (id: number, name: string, shape: number[], kind: Value["kind"], batched: boolean): Value => ({ id, name, shape, dtype: "f32", kind, batched });

/** One kernel compiled to a JS function over its buffers (the same code the module emits). */
function kernel(pass: ConvPass, s: ConvShape & { pixels: boolean }, form: ConvForm): () => void {
  const oh = axis(s.h, s.kh, s.sh, s.padding).out;
  const ow = axis(s.w, s.kw, s.sw, s.padding).out;
  const x = value(0, "x", [BATCH, s.h, s.w, s.c], s.pixels ? "input" : "temp", true);
  const wt = value(1, "W", [s.kh, s.kw, s.c, s.filters], "param", false);
  const b = value(2, "b", [s.filters], "param", false);
  const y = value(3, "y", [BATCH, oh, ow, s.filters], "temp", true);
  const dx = value(4, "dx", x.shape as number[], "temp", true);
  const dw = value(5, "dW", wt.shape as number[], "temp", false);
  const window = { kh: s.kh, kw: s.kw, sh: s.sh, sw: s.sw, padding: s.padding };
  const forms = { forward: form, input_grad: form, weight_grad: form };
  const [op, ins, out, attrs] =
    pass === "forward" ? ["conv2d", [x, wt, b], y, { ...window, activation: "relu", activationAttrs: {}, forms }] as const
    : pass === "input_grad" ? ["conv2d_grad_input", [y, wt], dx, { ...window, h: s.h, w: s.w, form }] as const
    : ["conv2d_grad_weights", [x, y], dw, { ...window, h: s.h, w: s.w, form }] as const;
  const w = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  const scratch = new Map<string, { type: string; size: number }>();
  const node: Node = { op, inputs: ins.map((v) => v.id), output: out.id, attrs, path: "bench", phase: "forward" };
  opDef(op).emit({
    w, node, ins, out, ref: (v) => v.name, rows: `${BATCH}`, mode: "train",
    scratch: (name, type, size) => (scratch.set(name, { type, size: Math.max(size, scratch.get(name)?.size ?? 0) }), name),
  });
  const buffers = [...ins, out].map((v) => {
    const a = new Float32Array(v.shape.reduce((p, q) => p * q, 1));
    // Pixels are mostly zero (MNIST: about 80%), which the kernels of an input exploit.
    for (let i = 0; i < a.length; i++) a[i] = v.kind === "input" && Math.random() < 0.8 ? 0 : Math.random() - 0.5;
    return a;
  });
  const scratchArrays = [...scratch.values()].map(({ type, size }) => (type === "Int32Array" ? new Int32Array(size) : new Float32Array(size)));
  const fn = new Function(...[...ins, out].map((v) => v.name), ...scratch.keys(), w.toString()) as (...a: unknown[]) => void;
  return () => fn(...buffers, ...scratchArrays);
}

/** Microseconds per call: the best of ROUNDS rounds of SECONDS each. */
function time(run: () => void): number {
  for (let i = 0; i < 20; i++) run();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < SECONDS * 1000) {
      run();
      calls++;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1000) / calls);
  }
  return best;
}

const rows: string[] = [];
console.log("| shape | pass | direct µs | im2col µs | faster |");
console.log("|---|---|---:|---:|---|");
for (const s of SHAPES) {
  const entry: string[] = [];
  for (const pass of ["forward", "input_grad", "weight_grad"] as ConvPass[]) {
    const d = kernel(pass, s, "direct");
    const i = kernel(pass, s, "im2col");
    // Interleaved so both forms see the same machine load.
    const [td, ti] = [time(d), time(i)];
    const [td2, ti2] = [time(d), time(i)];
    const direct = Math.min(td, td2);
    const im2col = Math.min(ti, ti2);
    console.log(`| ${shapeKey(s)}${s.pixels ? " (pixels)" : ""} | ${pass} | ${direct.toFixed(0)} | ${im2col.toFixed(0)} | ${direct <= im2col ? "direct" : "im2col"} |`);
    entry.push(`${pass}: { direct: ${direct.toFixed(0)}, im2col: ${im2col.toFixed(0)} }`);
  }
  rows.push(`  "${shapeKey(s)}": { ${entry.join(", ")} },`);
}
console.log("\nFor compiler/ops/conv/forms.ts (MEASURED):\n" + rows.join("\n"));
