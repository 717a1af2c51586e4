// Batch normalization (Ioffe & Szegedy), per column of x [B, N], as PyTorch's BatchNorm1d:
//   train   μ, σ² = mean and biased variance of the batch; x̂ = (x − μ)/√(σ² + ε); y = γ·x̂ + β
//           running_mean ← (1−m)·running_mean + m·μ,  running_var ← (1−m)·running_var + m·σ²·B/(B−1)
//   infer   y = γ·(x − running_mean)/√(running_var + ε) + β   (rows independent)
// The running statistics are state: updated in place by forward(), never trained. The
// backward is the closed form dx = (1/B)·γ/σ·(B·dy − Σdy − x̂·Σ(dy·x̂)); dγ = Σ dy·x̂, dβ = Σ dy.
// Both backward ops recompute μ and σ from x (two passes over [B, N]) rather than keep them.
import type { CodeBlockWriter } from "ts-morph";
import { z } from "zod";
import { num, type OpDef, type Tensor64 } from "../op.ts";
import { forRange } from "../loops.ts";
import { float } from "../../export/rule.ts";

/** Per column: the batch mean and 1/√(σ² + ε), and the biased variance σ², in float64. */
function columnStats(x: Tensor64, eps: number): { mean: Float64Array; inv: Float64Array; variance: Float64Array } {
  const [b, n] = x.shape as [number, number];
  const mean = new Float64Array(n), variance = new Float64Array(n), inv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < b; r++) s += x.data[r * n + j]!;
    mean[j] = s / b;
    let v = 0;
    for (let r = 0; r < b; r++) v += (x.data[r * n + j]! - mean[j]!) ** 2;
    variance[j] = v / b;
    inv[j] = 1 / Math.sqrt(variance[j]! + eps);
  }
  return { mean, inv, variance };
}

/** Emits, inside a loop over columns j, `mu` and `inv` of column j (two passes over the rows). */
function emitColumnStats(w: CodeBlockWriter, x: string, b: number, n: number, eps: number): void {
  w.writeLine("let mu = 0;");
  forRange(w, "r", b, () => w.writeLine(`mu += ${x}[r * ${n} + j];`));
  w.writeLine(`mu /= ${b};`);
  w.writeLine("let v = 0;");
  forRange(w, "r", b, () => {
    w.writeLine(`const d = ${x}[r * ${n} + j] - mu;`);
    w.writeLine("v += d * d;");
  });
  w.writeLine(`v /= ${b}; // the biased variance normalizes`);
  w.writeLine(`const inv = 1 / Math.sqrt(v + ${eps});`);
}

const params = z.strictObject({ momentum: z.number().min(0).max(1), eps: z.number().positive() });
const dims = (x: { shape: readonly number[] }) => x.shape as [number, number];

export const batch_norm: OpDef = {
  name: "batch_norm",
  attrs: params,
  // Inputs: x [B, N], γ [N], β [N], running mean [N], running variance [N].
  shape: ([x, ...vs]) =>
    x!.shape.length === 2 && vs.every((v) => v.shape.join() === `${x!.shape[1]}`)
      ? { shape: x!.shape, dtype: "f32" }
      : `batch_norm needs [batch, n] and four [n] vectors (got [${x!.shape}], ${vs.map((v) => `[${v.shape}]`).join(", ")})`,
  modal: true,
  // Inference normalizes with the running statistics: ONNX's BatchNormalization, inputs in the same order.
  onnx: (e) => void e.node("BatchNormalization", e.ins, { epsilon: float(num(e.attrs, "eps")) }, e.out),
  eval: ([x, gamma, beta, rm, rv], a, _out, mode) => {
    const [, n] = dims(x!);
    const eps = num(a, "eps");
    const stats = mode === "train" ? columnStats(x!, eps) : { mean: rm!.data, inv: rv!.data.map((v) => 1 / Math.sqrt(v + eps)) };
    return x!.data.map((v, i) => gamma!.data[i % n]! * (v - stats.mean[i % n]!) * stats.inv[i % n]! + beta!.data[i % n]!);
  },
  emit: ({ w, ins: [x, gamma, beta, rm, rv], out, ref, rows, mode, node }) => {
    const [b, n] = dims(x!);
    const m = num(node.attrs, "momentum"), eps = num(node.attrs, "eps");
    const [X, Y, G, Bt, RM, RV] = [x!, out, gamma!, beta!, rm!, rv!].map(ref) as [string, string, string, string, string, string];
    if (mode === "infer") {
      forRange(w, "j", n, () => {
        w.writeLine(`const inv = 1 / Math.sqrt(${RV}[j] + ${eps});`);
        forRange(w, "r", rows, () => w.writeLine(`${Y}[r * ${n} + j] = ${G}[j] * (${X}[r * ${n} + j] - ${RM}[j]) * inv + ${Bt}[j];`));
      });
      return;
    }
    forRange(w, "j", n, () => {
      emitColumnStats(w, X, b, n, eps);
      forRange(w, "r", b, () => w.writeLine(`${Y}[r * ${n} + j] = ${G}[j] * (${X}[r * ${n} + j] - mu) * inv + ${Bt}[j];`));
      w.writeLine(`${RM}[j] = ${1 - m} * ${RM}[j] + ${m} * mu;`);
      w.writeLine(`${RV}[j] = ${1 - m} * ${RV}[j] + ${m} * v * ${b / (b - 1)}; // the unbiased variance is kept`);
    });
  },
  grad: (g, node, dy, needs) => {
    const [x, gamma] = node.inputs as [number, number];
    const eps = { eps: num(node.attrs, "eps") };
    const name = (k: number) => `d${g.value(node.inputs[k]!).name}`;
    return [
      needs[0] ? g.add("batch_norm_grad", [dy!, x, gamma], eps, name(0)) : null,
      needs[1] ? g.add("batch_norm_dgamma", [dy!, x], eps, name(1)) : null,
      needs[2] ? g.add("sum_rows", [dy!], {}, name(2)) : null,
      null,
      null,
    ];
  },
  describe: (_n, [x, gamma, beta], out) => `${out.name} = ${gamma!.name}·(${x!.name} − μ)/√(σ² + ε) + ${beta!.name} (batch stats; inference: running stats)`,
  flops: ([x]) => 8 * x!.shape[0]! * x!.shape[1]!,
};

const epsOnly = z.strictObject({ eps: z.number().positive() });

/** dx = (1/B)·γ·inv·(B·dy − Σdy − x̂·Σ(dy·x̂)), per column. Inputs: dy, x, γ. */
export const batch_norm_grad: OpDef = {
  name: "batch_norm_grad",
  attrs: epsOnly,
  shape: ([dy]) => ({ shape: dy!.shape, dtype: "f32" }),
  eval: ([dy, x, gamma], a) => {
    const [b, n] = dims(x!);
    const { mean, inv } = columnStats(x!, num(a, "eps"));
    const dx = new Float64Array(b * n);
    for (let j = 0; j < n; j++) {
      let sdy = 0, sdyx = 0;
      for (let r = 0; r < b; r++) {
        sdy += dy!.data[r * n + j]!;
        sdyx += dy!.data[r * n + j]! * (x!.data[r * n + j]! - mean[j]!) * inv[j]!;
      }
      for (let r = 0; r < b; r++) {
        const xhat = (x!.data[r * n + j]! - mean[j]!) * inv[j]!;
        dx[r * n + j] = (gamma!.data[j]! * inv[j]! / b) * (b * dy!.data[r * n + j]! - sdy - xhat * sdyx);
      }
    }
    return dx;
  },
  emit: ({ w, ins: [dy, x, gamma], out, ref, node }) => {
    const [b, n] = dims(x!);
    const [D, X, G, O] = [dy!, x!, gamma!, out].map(ref) as [string, string, string, string];
    forRange(w, "j", n, () => {
      emitColumnStats(w, X, b, n, num(node.attrs, "eps"));
      w.writeLine("let sdy = 0;");
      w.writeLine("let sdyx = 0;");
      forRange(w, "r", b, () => {
        w.writeLine(`sdy += ${D}[r * ${n} + j];`);
        w.writeLine(`sdyx += ${D}[r * ${n} + j] * (${X}[r * ${n} + j] - mu) * inv;`);
      });
      w.writeLine(`const scale = ${G}[j] * inv / ${b};`);
      forRange(w, "r", b, () =>
        w.writeLine(`${O}[r * ${n} + j] = scale * (${b} * ${D}[r * ${n} + j] - sdy - (${X}[r * ${n} + j] - mu) * inv * sdyx);`),
      );
    });
  },
  describe: (_n, [dy, x, gamma], out) => `${out.name} = (1/B)·${gamma!.name}/σ·(B·${dy!.name} − Σ${dy!.name} − x̂·Σ(${dy!.name}·x̂)), x̂ from ${x!.name}`,
  flops: ([x]) => 10 * x!.shape[0]! * x!.shape[1]!,
};

/** dγ = Σ_rows dy·x̂. Inputs: dy, x. */
export const batch_norm_dgamma: OpDef = {
  name: "batch_norm_dgamma",
  attrs: epsOnly,
  shape: ([dy]) => ({ shape: [dy!.shape[1]!], dtype: "f32", batched: false }),
  eval: ([dy, x], a) => {
    const [b, n] = dims(x!);
    const { mean, inv } = columnStats(x!, num(a, "eps"));
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let r = 0; r < b; r++) out[j]! += dy!.data[r * n + j]! * (x!.data[r * n + j]! - mean[j]!) * inv[j]!;
    return out;
  },
  emit: ({ w, ins: [dy, x], out, ref, node }) => {
    const [b, n] = dims(x!);
    forRange(w, "j", n, () => {
      emitColumnStats(w, ref(x!), b, n, num(node.attrs, "eps"));
      w.writeLine("let sum = 0;");
      forRange(w, "r", b, () => w.writeLine(`sum += ${ref(dy!)}[r * ${n} + j] * (${ref(x!)}[r * ${n} + j] - mu) * inv;`));
      w.writeLine(`${ref(out)}[j] = sum;`);
    });
  },
  describe: (_n, [dy, x], out) => `${out.name} = Σ_rows ${dy!.name}·x̂, x̂ from ${x!.name}`,
  flops: ([x]) => 6 * x!.shape[0]! * x!.shape[1]!,
};

