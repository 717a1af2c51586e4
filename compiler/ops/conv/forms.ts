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
 * of `npx tsx bench/conv-forms.ts` (Node 20, 2-core EPYC shared with other jobs: compare
 * within a row, not across runs). The first shape of each input size reads pixels (80% zeros).
 */
export const MEASURED: Readonly<Record<string, Readonly<Record<ConvPass, { direct: number; im2col: number }>>>> = {
  "28x28x1 k5x5 s1x1 valid f8": { forward: { direct: 22594, im2col: 28872 }, input_grad: { direct: 21029, im2col: 19674 }, weight_grad: { direct: 6821, im2col: 8952 } },
  "12x12x8 k5x5 s1x1 valid f16": { forward: { direct: 13940, im2col: 13951 }, input_grad: { direct: 11224, im2col: 16846 }, weight_grad: { direct: 19402, im2col: 11343 } },
  "28x28x1 k3x3 s1x1 same f32": { forward: { direct: 15939, im2col: 12690 }, input_grad: { direct: 31529, im2col: 17927 }, weight_grad: { direct: 21758, im2col: 26395 } },
  "14x14x32 k3x3 s1x1 same f64": { forward: { direct: 258472, im2col: 261441 }, input_grad: { direct: 509805, im2col: 264337 }, weight_grad: { direct: 254663, im2col: 213354 } },
  "32x32x3 k3x3 s1x1 same f16": { forward: { direct: 35465, im2col: 38235 }, input_grad: { direct: 31185, im2col: 31707 }, weight_grad: { direct: 31183, im2col: 48150 } },
  "16x16x16 k3x3 s2x2 same f32": { forward: { direct: 13921, im2col: 18937 }, input_grad: { direct: 38463, im2col: 18908 }, weight_grad: { direct: 31359, im2col: 18343 } },
};

/**
 * The rule for shapes not measured, read off MEASURED (it agrees with 16 of its 18 rows; the
 * two it misses are within 7% and 26%):
 * - forward: direct (faster or level in 5 of 6 shapes: its accumulators already sit in locals);
 * - input gradient: im2col once there are more than 16 filters (direct keeps at most 16 of
 *   dz in locals; beyond that it re-reads dz for every weight);
 * - weight gradient: im2col from 8 input channels on (with 1–3 channels a patch row is too
 *   short for GEMM's blocks to pay for the gather).
 */
export function ruleFor(pass: ConvPass, s: ConvShape): ConvForm {
  if (pass === "input_grad") return s.filters > 16 ? "im2col" : "direct";
  if (pass === "weight_grad") return s.c >= 8 ? "im2col" : "direct";
  return "direct";
}

export function chooseForm(pass: ConvPass, s: ConvShape): { form: ConvForm; measured: boolean } {
  const m = MEASURED[shapeKey(s)]?.[pass];
  if (m) return { form: m.im2col < m.direct ? "im2col" : "direct", measured: true };
  return { form: ruleFor(pass, s), measured: false };
}
