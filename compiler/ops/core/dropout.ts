// Inverted dropout (Srivastava et al.; as Keras and PyTorch): in training each element is
// kept with probability 1−p and scaled by 1/(1−p), so inference is the identity.
//   dropout_mask  mask = (u ≥ p) / (1−p), u from the layer's PRNG stream (a state buffer)
//   dropout       y = x ⊙ mask in train mode, y = x in infer mode; dx = dy ⊙ mask
// The mask is a value of its own so the backward pass reads the same one, and so the stream
// is advanced exactly once per forward(). The PRNG is mulberry32 (as init uses), stepped in
// integers: the float64 reference draws the same bits, so its mask is the module's, bit for bit.
import { z } from "zod";
import { shapeSize } from "../../ir/types.ts";
import { num, type OpDef } from "../op.ts";
import { forEach, forRange } from "../loops.ts";

/** u < p ⇔ the 32-bit draw is below this (u = draw / 2³²). */
const threshold = (p: number): number => Math.ceil(p * 4294967296);
/** The kept elements' scale, as the module stores it (float32). */
const keepScale = (p: number): number => Math.fround(1 / (1 - p));

/** The mask a stream state gives: what the emitted loop computes, in plain JS (the reference). */
export function dropoutMask(state: readonly [number, number], p: number, n: number): { mask: Float64Array; next: [number, number] } {
  let s = (state[0] * 65536 + state[1]) | 0;
  const mask = new Float64Array(n);
  const cut = threshold(p), scale = keepScale(p);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let m = Math.imul(s ^ (s >>> 15), 1 | s);
    m = (m + Math.imul(m ^ (m >>> 7), 61 | m)) ^ m;
    mask[i] = (m ^ (m >>> 14)) >>> 0 < cut ? 0 : scale;
  }
  return { mask, next: [s >>> 16, s & 0xffff] };
}

const attrs = z.strictObject({ p: z.number().min(0).lt(1) });

export const dropout_mask: OpDef = {
  name: "dropout_mask",
  attrs: attrs.extend({ shape: z.array(z.number().int().positive()) }),
  shape: ([rng], a) =>
    rng!.shape.join() === "2" ? { shape: a.shape as number[], dtype: "f32", batched: true } : `a PRNG stream is 2 elements, not [${rng!.shape}]`,
  modal: true,
  // Inference draws nothing (the stream does not move) and dropout ignores the mask.
  eval: ([rng], a, out, mode) =>
    mode === "infer" ? new Float64Array(shapeSize(out)).fill(1) : dropoutMask([rng!.data[0]!, rng!.data[1]!], num(a, "p"), shapeSize(out)).mask,
  emit: ({ w, ins: [rng], out, ref, mode, node }) => {
    if (mode === "infer") {
      w.writeLine("// inference: no mask is drawn");
      return;
    }
    const p = num(node.attrs, "p");
    const s = ref(rng!);
    w.writeLine(`let st = (${s}[0] * 65536 + ${s}[1]) | 0;`);
    forRange(w, "i", shapeSize(out.shape), () => {
      w.writeLine("st = (st + 0x6d2b79f5) | 0;");
      w.writeLine("let m = Math.imul(st ^ (st >>> 15), 1 | st);");
      w.writeLine("m = (m + Math.imul(m ^ (m >>> 7), 61 | m)) ^ m;");
      w.writeLine(`${ref(out)}[i] = (m ^ (m >>> 14)) >>> 0 < ${threshold(p)} ? 0 : ${keepScale(p)};`);
    });
    w.writeLine(`${s}[0] = st >>> 16;`);
    w.writeLine(`${s}[1] = st & 0xffff;`);
  },
  describe: (node, [rng], out) => `${out.name} = (u ≥ ${num(node.attrs, "p")}) / (1 − ${num(node.attrs, "p")}), u ~ U[0, 1) from ${rng!.name}`,
  flops: (_ins, out) => 6 * shapeSize(out.shape),
};

export const dropout: OpDef = {
  name: "dropout",
  attrs,
  shape: ([x, mask]) => (x!.shape.join() === mask!.shape.join() ? { shape: x!.shape, dtype: "f32" } : `mask [${mask!.shape}] does not fit [${x!.shape}]`),
  modal: true,
  eval: ([x, mask], _a, _out, mode) => (mode === "infer" ? x!.data.slice() : x!.data.map((v, i) => v * mask!.data[i]!)),
  emit: ({ w, ins: [x, mask], out, ref, rows, mode }) =>
    forEach(w, rows, out.shape, (i) => w.writeLine(`${ref(out)}[${i}] = ${ref(x!)}[${i}]${mode === "infer" ? "" : ` * ${ref(mask!)}[${i}]`};`)),
  // Inference reads x only: ONNX gets an Identity, and no mask.
  inferInputs: [0],
  onnx: (e) => void e.node("Identity", [e.ins[0]!], {}, e.out),
  // The mask comes from a state buffer: it takes no gradient.
  grad: (g, node, dy) => [g.add("mul", [dy!, node.inputs[1]!], {}, `d${g.value(node.inputs[0]!).name}`), null],
  describe: (_n, [x, mask], out) => `${out.name} = ${x!.name} ⊙ ${mask!.name} (inference: ${out.name} = ${x!.name})`,
  flops: (_ins, out) => shapeSize(out.shape),
};
