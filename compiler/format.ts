// Numbers for people: 4 significant digits, no trailing zeros, long tensors elided. Used by
// `netspec grad`'s table and by the edge labels of `netspec draw`.

import { shapeText, type Shape } from "./ir/types.ts";

/** `3`, `-12`, `0.7311`, `1.235e4`, `-1.2e-7`: 4 significant digits, trailing zeros dropped. */
export function formatNumber(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0"; // also -0
  // Below 0.001 the exponent is shorter to read than a run of zeros (0.000001145).
  const text = Math.abs(x) < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits);
  const [mantissa, exponent] = text.split("e");
  const trimmed = mantissa!.includes(".") ? mantissa!.replace(/0+$/, "").replace(/\.$/, "") : mantissa!;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent.replace(/^\+/, "")}`;
}

export interface TensorFormat {
  /** Tensors with more elements than this are elided to the first two and the last. */
  readonly limit?: number;
  /** Append the shape to an elided tensor: `[a, b, …, z] (75×4)`. */
  readonly shape?: boolean;
}

/** One number as itself, a small tensor as `[a, b, c]` (flat), a long one as `[a, b, …, z] (75×4)`. */
export function formatTensor(data: ArrayLike<number>, shape: Shape, { limit = 6, shape: withShape = true }: TensorFormat = {}): string {
  if (data.length === 1) return formatNumber(data[0]!);
  const all = Array.from(data, (x) => formatNumber(x));
  if (all.length <= limit) return `[${all.join(", ")}]`;
  const elided = `[${all[0]}, ${all[1]}, …, ${all.at(-1)}]`;
  return withShape ? `${elided} (${shapeText(shape)})` : elided;
}
