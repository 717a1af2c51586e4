// Which emitted form each convolution kernel uses: direct loops or im2col + blocked GEMM
// (conv-kernels.ts). The choice comes from measurements (bench/conv-forms.ts), recorded
// below per layer shape; a shape not in the table falls back to the rule derived from them.

export type ConvForm = "direct" | "im2col";
export type ConvPass = "forward" | "input_grad" | "weight_grad";

/** What a measurement is keyed by: input H×W×C, kernel, stride, padding, filters. */
export interface ConvShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly padding: "valid" | "same";
  readonly filters: number;
}

export const shapeKey = (s: ConvShape): string => `${s.h}x${s.w}x${s.c} k${s.kh}x${s.kw} s${s.sh}x${s.sw} ${s.padding} f${s.filters}`;

/**
 * Microseconds per call (batch 32) of each form, per pass, measured side by side in one run
 * of `npx tsx bench/conv-forms.ts` (Node 20, a 2-core EPYC shared with other jobs, load ~10:
 * compare within a row, not across rows or runs; near-ties flip between runs). Shapes that
 * read pixels were measured on 80% zeros, which the kernels of an input skip.
 */
export const MEASURED: Readonly<Record<string, Readonly<Record<ConvPass, { direct: number; im2col: number }>>>> = {
  "28x28x1 k5x5 s1x1 valid f8": { forward: { direct: 6640, im2col: 10860 }, input_grad: { direct: 5723, im2col: 8076 }, weight_grad: { direct: 6615, im2col: 24993 } },
  "12x12x8 k5x5 s1x1 valid f16": { forward: { direct: 11826, im2col: 13065 }, input_grad: { direct: 12579, im2col: 26712 }, weight_grad: { direct: 13860, im2col: 12905 } },
  "28x28x1 k3x3 s1x1 same f32": { forward: { direct: 36230, im2col: 40903 }, input_grad: { direct: 41007, im2col: 23676 }, weight_grad: { direct: 27545, im2col: 19361 } },
  "14x14x32 k3x3 s1x1 same f64": { forward: { direct: 426026, im2col: 239030 }, input_grad: { direct: 606444, im2col: 183783 }, weight_grad: { direct: 259863, im2col: 258212 } },
  "32x32x3 k3x3 s1x1 same f16": { forward: { direct: 23496, im2col: 36787 }, input_grad: { direct: 21749, im2col: 24601 }, weight_grad: { direct: 20265, im2col: 40837 } },
  "16x16x16 k3x3 s2x2 same f32": { forward: { direct: 12211, im2col: 14145 }, input_grad: { direct: 38421, im2col: 12429 }, weight_grad: { direct: 19955, im2col: 23063 } },
};

/**
 * The rule for shapes not in MEASURED, read off it:
 * - forward: direct up to 32 filters (its accumulators sit in locals, and a window that
 *   stays inside the image runs 2 positions × 4 filters at a time); im2col beyond (64 filters
 *   on 32 channels: 1.8× faster). Agrees with all 6 shapes.
 * - input gradient: im2col once there are more than 16 filters (direct keeps at most 16 of
 *   dz in locals; beyond that it re-reads dz for every weight). Agrees with all 6.
 * - weight gradient: im2col from 8 input channels on (with 1–3 channels a patch row is too
 *   short for GEMM's blocks to pay for the gather). Agrees with 4 of the 6 here (the two it
 *   misses differ by 29% and 14%) and with all 6 of an earlier run: the closest call.
 */
export function ruleFor(pass: ConvPass, s: ConvShape): ConvForm {
  if (pass === "forward") return s.filters > 32 ? "im2col" : "direct";
  if (pass === "input_grad") return s.filters > 16 ? "im2col" : "direct";
  return s.c >= 8 ? "im2col" : "direct";
}

export function chooseForm(pass: ConvPass, s: ConvShape): { form: ConvForm; measured: boolean } {
  const m = MEASURED[shapeKey(s)]?.[pass];
  if (m) return { form: m.im2col < m.direct ? "im2col" : "direct", measured: true };
  return { form: ruleFor(pass, s), measured: false };
}
