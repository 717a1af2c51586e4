// Hand-built graphs for the image ops (compiler/ops/conv/) on odd shapes: a 5×7 input with
// 2 channels, a 3×2 kernel, stride 2, both paddings, and each kernel in both emitted forms.
// The input passes through `add` with a parameter P so the input gradient of the first op is
// computed (and checked) in the generated code too. Used by conv-ops.test.ts and ops.test.ts.

import type { ConvForm } from "../../compiler/ops/conv/forms.ts";
import { BATCH, graphCase, type CaseBuilder, type MathCase } from "./math-graphs.ts";

const H = 5, W = 7, C = 2;

/** x + P: a batched image whose gradient the generated module computes (P is a parameter). */
function image(b: CaseBuilder, h = H, w = W, c = C, data?: number[]): number {
  const x = b.input("x", [h, w, c], true, data ? { data } : {});
  return b.op("add", [x, b.param("P", [BATCH, h, w, c], data ? { data: Array(BATCH * h * w * c).fill(0) } : {})]);
}

interface ConvCase {
  readonly padding: "valid" | "same";
  readonly form: ConvForm;
  readonly activation: string | null;
  readonly bias: boolean;
  readonly stride?: number;
  readonly kernel?: [number, number];
  readonly filters?: number;
}

function convCase(o: ConvCase): MathCase {
  const [kh, kw] = o.kernel ?? [3, 2];
  const s = o.stride ?? 2;
  const f = o.filters ?? 3;
  const name = `conv2d ${H}×${W}×${C} * ${kh}×${kw}×${f} stride ${s} ${o.padding}, ${o.form}${o.bias ? ", bias" : ""}${o.activation ? `, ${o.activation}` : ""}`;
  return graphCase(name, (b) => {
    const x = image(b);
    const w = b.param("W", [kh, kw, C, f]);
    const ins = o.bias ? [x, w, b.param("bias", [f])] : [x, w];
    const attrs = {
      kh, kw, sh: s, sw: s, padding: o.padding, activation: o.activation, activationAttrs: {},
      forms: { forward: o.form, input_grad: o.form, weight_grad: o.form },
    };
    return b.op("conv2d", ins, attrs, "y");
  });
}

function poolCase(op: "max_pool" | "avg_pool", padding: "valid" | "same", [kh, kw]: [number, number], s: number): MathCase {
  return graphCase(`${op} ${H}×${W}×${C}, window ${kh}×${kw} stride ${s} ${padding}`, (b) =>
    b.op(op, [image(b)], { kh, kw, sh: s, sw: s, padding }, "y"));
}

export const convCases: MathCase[] = [
  ...(["direct", "im2col"] as const).flatMap((form) => [
    convCase({ padding: "valid", form, activation: "relu", bias: true }),
    convCase({ padding: "same", form, activation: "tanh", bias: true }),
    convCase({ padding: "same", form, activation: null, bias: false, stride: 1, kernel: [2, 3], filters: 9 }),
    convCase({ padding: "valid", form, activation: "sigmoid", bias: true, stride: 1, kernel: [5, 1], filters: 17 }),
  ]),
  poolCase("max_pool", "valid", [3, 2], 2),
  poolCase("max_pool", "same", [3, 2], 2),
  poolCase("max_pool", "valid", [2, 2], 1),
  poolCase("avg_pool", "valid", [3, 2], 2),
  poolCase("avg_pool", "same", [3, 2], 2),
  graphCase("reshape: flatten 5×7×2 to 70, then dense", (b) => {
    const flat = b.op("reshape", [image(b)], { shape: [H * W * C] }, "flat");
    return b.op("matmul", [flat, b.param("Wd", [H * W * C, 3])], {}, "y");
  }),
  // Read straight from the data, as a first layer does: the kernels skip steps where the input is 0.
  graphCase("conv2d on an input with zeros (pixels): zero steps skipped, odd output width", (b) => {
    const n = BATCH * 5 * 7 * 2;
    const x = b.input("x", [5, 7, 2], true, { data: Array.from({ length: n }, (_, i) => (i % 3 === 0 || i % 7 === 1 ? 0 : ((i * 37) % 11) / 5 - 1)) });
    return b.op("conv2d", [x, b.param("W", [3, 2, 2, 6]), b.param("bias", [6])],
      { kh: 3, kw: 2, sh: 1, sw: 2, padding: "valid", activation: "relu", activationAttrs: {}, forms: { forward: "direct", input_grad: "direct", weight_grad: "direct" } }, "y");
  }),
  graphCase("conv2d on an input with zeros, im2col", (b) => {
    const n = BATCH * 5 * 7 * 2;
    const x = b.input("x", [5, 7, 2], true, { data: Array.from({ length: n }, (_, i) => (i % 3 === 0 || i % 7 === 1 ? 0 : ((i * 37) % 11) / 5 - 1)) });
    return b.op("conv2d", [x, b.param("W", [3, 2, 2, 6]), b.param("bias", [6])],
      { kh: 3, kw: 2, sh: 1, sw: 2, padding: "valid", activation: "relu", activationAttrs: {}, forms: { forward: "im2col", input_grad: "im2col", weight_grad: "im2col" } }, "y");
  }),
  graphCase("conv2d → max_pool → conv2d (relu): a small CNN", (b) => {
    const forms = { forward: "im2col", input_grad: "direct", weight_grad: "im2col" };
    const h1 = b.op("conv2d", [image(b, 6, 7, 1), b.param("W1", [3, 3, 1, 4]), b.param("b1", [4])],
      { kh: 3, kw: 3, sh: 1, sw: 1, padding: "same", activation: "relu", activationAttrs: {}, forms }, "h1");
    const p1 = b.op("max_pool", [h1], { kh: 2, kw: 2, sh: 2, sw: 2, padding: "valid" }, "p1");
    return b.op("conv2d", [p1, b.param("W2", [2, 2, 4, 5]), b.param("b2", [5])],
      { kh: 2, kw: 2, sh: 1, sw: 1, padding: "valid", activation: "elu", activationAttrs: { alpha: 1 }, forms: { forward: "direct", input_grad: "im2col", weight_grad: "direct" } }, "y");
  }),
];

/**
 * Ties in a max-pool window: x is one 2×4 image with one channel, windows 2×2 stride 2. The
 * left window is all 3s (the first element, top-left, takes the gradient), the right one
 * has its max 5 twice, top-right and bottom-left (top-right comes first in row-major order).
 */
export const tieCase: MathCase = graphCase("max_pool ties: the first maximum in row-major order takes the gradient", (b) =>
  b.op("max_pool", [image(b, 2, 4, 1, Array.from({ length: BATCH }, () => [3, 3, 1, 5, 3, 3, 5, 2]).flat())], { kh: 2, kw: 2, sh: 2, sw: 2, padding: "valid" }, "y"),
{ kink: true });
