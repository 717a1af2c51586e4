// Each update rule against the same steps written out in float64 here, on a tiny problem: the
// quadratic loss ½·Σ aᵢ(pᵢ − cᵢ)², whose gradient aᵢ(pᵢ − cᵢ) the test computes from the
// parameters as they are after each step. The references are written from the papers'/PyTorch's
// formulas, not from the implementation; they keep float64 state, the implementation float32,
// so they agree to float32 rounding over a few steps.

import { describe, expect, it } from "vitest";
import { clipScale, optimizers, STEP, stepRecord, type OptimizerName } from "../../runtime/optimizers/index.ts";
import { lrAt, warmUp } from "../../runtime/schedule.ts";
import type { TrainingConfig } from "../../runtime/module.ts";
import { trainSync } from "../../runtime/train.ts";
import { irisData } from "./fixtures/iris.ts";
import { linearModule } from "./fixtures/linear.ts";

const A = [1, 4, 0.25, 2], C = [0.5, -1, 3, 0], P0 = [0, 0.5, -2, 1];
const gradAt = (p: ArrayLike<number>): number[] => Array.from(p, (x, i) => A[i]! * (x - C[i]!));

/** A float64 reference: state, and one step from gradient g at lr and 1-based step t. */
type Reference = (p: number[], g: number[], lr: number, t: number) => void;

const references: Record<string, (h: Record<string, number | boolean>) => Reference> = {
  sgd: (h) => {
    const v = P0.map(() => 0), mu = h.momentum as number;
    return (p, g, lr) => p.forEach((_, i) => {
      v[i] = mu * v[i]! - lr * g[i]!;
      p[i] += h.nesterov ? mu * v[i]! - lr * g[i]! : v[i]!;
    });
  },
  adam: (h) => adamReference(h, 0),
  adamw: (h) => adamReference(h, h.weight_decay as number),
  rmsprop: (h) => {
    const v = P0.map(() => 0), b = P0.map(() => 0);
    const rho = h.rho as number, eps = h.eps as number, mu = h.momentum as number;
    return (p, g, lr) => p.forEach((_, i) => {
      v[i] = rho * v[i]! + (1 - rho) * g[i]! ** 2;
      const d = g[i]! / (Math.sqrt(v[i]!) + eps);
      b[i] = mu * b[i]! + d;
      p[i] -= lr * (mu > 0 ? b[i]! : d);
    });
  },
  adagrad: (h) => {
    const s = P0.map(() => h.initial_accumulator as number), eps = h.eps as number;
    return (p, g, lr) => p.forEach((_, i) => {
      s[i] += g[i]! ** 2;
      p[i] -= (lr * g[i]!) / (Math.sqrt(s[i]!) + eps);
    });
  },
};

function adamReference(h: Record<string, number | boolean>, wd: number): Reference {
  const m = P0.map(() => 0), v = P0.map(() => 0);
  const b1 = h.beta1 as number, b2 = h.beta2 as number, eps = h.eps as number;
  return (p, g, lr, t) => p.forEach((_, i) => {
    p[i] *= 1 - lr * wd; // decoupled: not through the moments
    m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
    v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
    const mHat = m[i]! / (1 - b1 ** t), vHat = v[i]! / (1 - b2 ** t);
    p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
  });
}

const defaults = (name: OptimizerName) =>
  Object.fromEntries(Object.entries(optimizers[name].hypers).map(([k, h]) => [k, h.default])) as Record<string, number | boolean>;

/** The settings each rule is checked with: its defaults, and variants that take other branches. */
const cases: [OptimizerName, Record<string, number | boolean>][] = [
  ["sgd", { momentum: 0.9, nesterov: false }],
  ["sgd", { momentum: 0.8, nesterov: true }],
  ["adam", defaults("adam")],
  ["adam", { beta1: 0.5, beta2: 0.9, eps: 0.1 }],
  ["adamw", { ...defaults("adamw"), weight_decay: 0.1 }],
  ["rmsprop", defaults("rmsprop")],
  ["rmsprop", { rho: 0.5, eps: 0.1, momentum: 0.9 }],
  ["adagrad", defaults("adagrad")],
  ["adagrad", { eps: 0.1, initial_accumulator: 0.1 }],
];

describe("each update rule matches its float64 reference over a few steps", () => {
  it.each(cases)("%s %j", (name, h) => {
    const def = optimizers[name];
    const params = Float32Array.from(P0), grads = new Float32Array(P0.length);
    const slots = def.slots.map(() => new Float32Array(P0.length));
    def.reset?.(slots, h as never);
    const at = stepRecord();
    const ref = references[name]!(h), p = [...P0];
    const lrs = [0.05, 0.05, 0.02, 0.05, 0.01, 0.03]; // as a schedule/warmup would vary it
    for (let t = 1; t <= lrs.length; t++) {
      grads.set(gradAt(params));
      at[STEP.lr] = lrs[t - 1]!;
      at[STEP.t] = t;
      expect(def.step(params, grads, slots, h as never, at)).toBe(true);
      ref(p, gradAt(p), lrs[t - 1]!, t);
      for (let i = 0; i < p.length; i++) expect(params[i], `step ${t}, p[${i}]`).toBeCloseTo(p[i]!, 6);
    }
    // The problem moved: a rule that did nothing would not match.
    expect(Math.max(...p.map((x, i) => Math.abs(x - P0[i]!)))).toBeGreaterThan(0.01);
  });

  it("Adam's first step moves every parameter by about lr, against its gradient (bias correction)", () => {
    const params = Float32Array.from(P0), grads = Float32Array.from(gradAt(P0));
    const slots = [new Float32Array(4), new Float32Array(4)], at = stepRecord();
    at[STEP.lr] = 0.01;
    at[STEP.t] = 1;
    optimizers.adam.step(params, grads, slots, defaults("adam") as never, at);
    for (let i = 0; i < 4; i++) expect(params[i]! - P0[i]!).toBeCloseTo(-0.01 * Math.sign(grads[i]!), 6);
  });

  it("AdamW with weight_decay 0 is Adam, bit for bit", () => {
    const run = (name: "adam" | "adamw") => {
      const params = Float32Array.from(P0), grads = new Float32Array(4), slots = [new Float32Array(4), new Float32Array(4)];
      const at = stepRecord();
      for (let t = 1; t <= 5; t++) {
        grads.set(gradAt(params));
        at[STEP.lr] = 0.05;
        at[STEP.t] = t;
        optimizers[name].step(params, grads, slots, { ...defaults("adamw"), weight_decay: 0 } as never, at);
      }
      return params;
    };
    expect(run("adamw")).toEqual(run("adam"));
  });

  it("a non-finite parameter is reported, for every rule", () => {
    for (const [name, h] of cases) {
      const def = optimizers[name];
      const slots = def.slots.map(() => new Float32Array(2));
      const at = stepRecord();
      at[STEP.lr] = 0.1;
      at[STEP.t] = 1;
      expect(def.step(Float32Array.of(1, NaN), Float32Array.of(1, 1), slots, h as never, at), name).toBe(false);
    }
  });
});

describe("clip_norm", () => {
  it("scales by clip/‖g‖ over every parameter when the norm is larger, else 1", () => {
    const at = stepRecord(), g = Float32Array.of(3, 0, -4); // ‖g‖ = 5
    clipScale(g, 1, at);
    expect(at[STEP.scale]).toBeCloseTo(0.2, 15);
    clipScale(g, 10, at);
    expect(at[STEP.scale]).toBe(1);
    clipScale(g, null, at);
    expect(at[STEP.scale]).toBe(1);
  });

  it("the update sees the clipped gradient: sgd moves by lr·g·clip/‖g‖", () => {
    const params = Float32Array.of(1, 1, 1), grads = Float32Array.of(3, 0, -4), at = stepRecord();
    at[STEP.lr] = 0.5;
    clipScale(grads, 2, at);
    optimizers.sgd.step(params, grads, [new Float32Array(3)], { momentum: 0, nesterov: false }, at);
    // ‖g‖ = 5, clip 2: the gradient is read as 0.4·g.
    [1 - 0.5 * 3 * 0.4, 1, 1 + 0.5 * 4 * 0.4].forEach((want, i) => expect(params[i]).toBeCloseTo(want, 6));
    expect(Array.from(grads)).toEqual([3, 0, -4]); // read scaled, never rewritten
  });

  it("in training: a clip far above the norm changes nothing, a tight clip changes the result", () => {
    const data = irisData();
    const mod = (t: Partial<TrainingConfig>) =>
      linearModule({ inputSize: 4, outputSize: 3, batch: 15, training: { epochs: 3, optimizer: { kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8 }, lr: 0.01, ...t } });
    const free = trainSync(mod({}), data).model.params;
    expect(trainSync(mod({ clip_norm: 1e9 }), data).model.params).toEqual(free);
    expect(trainSync(mod({ clip_norm: 1e-3 }), data).model.params).not.toEqual(free);
  });
});

describe("warmup", () => {
  it("scales step k by k/warmup until step warmup, then leaves the lr alone", () => {
    const at = stepRecord();
    const lrAtStep = (t: number, lr: number, warmup: number) => ((at[STEP.t] = t), warmUp(at, lr, warmup), at[STEP.lr]);
    expect([1, 2, 3, 4, 5, 9].map((t) => lrAtStep(t, 0.1, 4))).toEqual([0.025, 0.05, 0.1 * 0.75, 0.1, 0.1, 0.1]);
    expect(lrAtStep(1, 0.1, 0)).toBe(0.1);
  });

  // iris: 75 training rows, batch 15 → 5 steps per epoch; warmup 12 ends in epoch 3. Each
  // epoch reports the lr of its last step (steps 5, 10, 15, 20): the schedule × warmup.
  const schedules: [string, TrainingConfig["schedule"]][] = [
    ["constant", { kind: "constant" }],
    ["step", { kind: "step", every: 1, factor: 0.5 }],
    ["cosine", { kind: "cosine", epochs: 4, min_lr: 0.01 }],
  ];
  it.each(schedules)("multiplies the %s schedule, which it does not delay", (_, schedule) => {
    const mod = linearModule({ inputSize: 4, outputSize: 3, batch: 15, training: { epochs: 4, lr: 0.1, schedule, warmup: 12 } });
    const r = trainSync(mod, irisData());
    const expected = [5, 10, 15, 20].map((step, e) => lrAt(schedule, 0.1, e) * Math.min(1, step / 12));
    expect(r.history.map((m) => m.lr)).toEqual(expected);
    expect(expected[0]).toBeLessThan(lrAt(schedule, 0.1, 0)); // the warmup did scale
  });
});
