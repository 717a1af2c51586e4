// The C reference: one workload's training step as a plain, fixed-shape C program (no BLAS),
// written from the workload's layer sizes. It is a benchmark yardstick, not a netspec backend:
// the loops are the textbook ones (row-major W [in × out], j innermost so gcc vectorizes them),
// every size is a literal, and everything is float32. The program runs the bench protocol
// itself (bench/engines/c.ts starts it): the agreement run, a warm-up, the timed repetitions.
//
//   ./step <data.bin> <seconds> <reps> <params-out> <test-out-out>
//
// data.bin: init params [P], then x [SEQ·B·in], y [SEQ·B·out] (one-hot rows or targets),
// test x [T·in], all float32 little-endian. Prints one JSON line: finalLoss, reps, cpuShare, maxRssMB.

import type { DenseLayer, Workload } from "../workloads.ts";
import { SEQUENCE } from "../workloads.ts";

const ACTIVATIONS: Readonly<Record<string, { fn: (v: string) => string; grad: (a: string) => string }>> = {
  relu: { fn: (v) => `(${v} > 0.0f ? ${v} : 0.0f)`, grad: (a) => `(${a} > 0.0f ? 1.0f : 0.0f)` },
  tanh: { fn: (v) => `tanhf(${v})`, grad: (a) => `(1.0f - ${a} * ${a})` },
  identity: { fn: (v) => v, grad: () => "1.0f" },
};

const f = (x: number): string => `${Number.isInteger(x) ? x.toFixed(1) : String(x)}f`;

export function cSource(w: Workload): string {
  const B = w.batch, L = w.layers, P = w.init.length, O = w.outputSize;
  for (const l of L) if (!(l.activation in ACTIVATIONS)) throw new Error(`C reference: no activation ${l.activation}`);
  const act = (l: DenseLayer) => ACTIVATIONS[l.activation]!;
  // a0 is the batch input; a<k+1> the output of layer k (after its activation).
  const widths = [w.inputSize, ...L.map((l) => l.units)];
  const { lr, momentum, nesterov } = w.optimizer;

  // a<k>: activations; d<k> (k ≥ 1): their gradients (the input needs none).
  const buffers = widths.map((n, k) => `static float a${k}[${B * n}]${k > 0 ? `, d${k}[${B * n}]` : ""};`).join("\n");
  const forward = L.map((l, k) => `  /* layer ${k}: dense ${l.inputs}→${l.units}, ${l.activation} */
  for (int b = 0; b < ${B}; b++) {
    float *z = a${k + 1} + b * ${l.units};
    const float *x = a${k} + b * ${l.inputs};
    for (int j = 0; j < ${l.units}; j++) z[j] = p[${l.bOffset} + j];
    for (int i = 0; i < ${l.inputs}; i++) {
      const float xi = x[i];
      const float *wr = p + ${l.wOffset} + i * ${l.units};
      for (int j = 0; j < ${l.units}; j++) z[j] += xi * wr[j];
    }${l.activation === "identity" ? "" : `
    for (int j = 0; j < ${l.units}; j++) { const float v = z[j]; z[j] = ${act(l).fn("v")}; }`}
  }`).join("\n");

  // d<k+1> holds ∂loss/∂(pre-activation of layer k) once the activation's derivative is applied.
  const backward = L.map((l, k) => k).reverse().map((k) => {
    const l = L[k]!, prev = k > 0 ? L[k - 1]! : null;
    return `  /* layer ${k}: dense ${l.inputs}→${l.units}, ${l.activation} */
  for (int j = 0; j < ${l.units}; j++) g[${l.bOffset} + j] = 0.0f;
  for (int i = 0; i < ${l.inputs * l.units}; i++) g[${l.wOffset} + i] = ${f(l.l2)} * p[${l.wOffset} + i];
  for (int b = 0; b < ${B}; b++) {
    const float *dz = d${k + 1} + b * ${l.units};
    const float *x = a${k} + b * ${l.inputs};
    for (int j = 0; j < ${l.units}; j++) g[${l.bOffset} + j] += dz[j];
    for (int i = 0; i < ${l.inputs}; i++) {
      const float xi = x[i];
      float *gr = g + ${l.wOffset} + i * ${l.units};
      for (int j = 0; j < ${l.units}; j++) gr[j] += xi * dz[j];
    }${prev ? `
    float *dx = d${k} + b * ${l.inputs};
    for (int i = 0; i < ${l.inputs}; i++) {
      const float *wr = p + ${l.wOffset} + i * ${l.units};
      float s = 0.0f;
      for (int j = 0; j < ${l.units}; j++) s += dz[j] * wr[j];
      const float a = x[i];
      dx[i] = s * ${act(prev).grad("a")};
    }` : ""}
  }`;
  }).join("\n");

  const last = `a${L.length}`, dLast = `d${L.length}`;
  // The loss's gradient is taken w.r.t. the last layer's output, which must then be linear.
  if (L.at(-1)!.activation !== "identity") throw new Error("C reference: the last layer must be linear");
  const lossGrad = w.loss === "softmax_cross_entropy"
    ? `  for (int b = 0; b < ${B}; b++) {
    const float *z = ${last} + b * ${O}; const float *t = y + b * ${O}; float *dz = ${dLast} + b * ${O};
    float m = z[0];
    for (int j = 1; j < ${O}; j++) m = z[j] > m ? z[j] : m;
    float s = 0.0f;
    for (int j = 0; j < ${O}; j++) { dz[j] = expf(z[j] - m); s += dz[j]; }
    const float k = ${f(1 / B)} / s;
    for (int j = 0; j < ${O}; j++) dz[j] = dz[j] * k - t[j] * ${f(1 / B)};
  }`
    : `  for (int i = 0; i < ${B * O}; i++) ${dLast}[i] = ${f(2 / (B * O))} * (${last}[i] - y[i]);`;
  const lossValue = w.loss === "softmax_cross_entropy"
    ? `  for (int b = 0; b < ${B}; b++) {
    const float *z = ${last} + b * ${O}; const float *t = y + b * ${O};
    double m = z[0], s = 0.0, zt = 0.0;
    for (int j = 1; j < ${O}; j++) m = z[j] > m ? z[j] : m;
    for (int j = 0; j < ${O}; j++) { s += exp(z[j] - m); zt += t[j] * z[j]; }
    total += log(s) + m - zt;
  }
  total /= ${B};`
    : `  for (int i = 0; i < ${B * O}; i++) { const double e = ${last}[i] - y[i]; total += e * e; }
  total /= ${B * O};`;
  const penalty = L.filter((l) => l.l2 !== 0).map((l) =>
    `  { double s = 0.0; for (int i = 0; i < ${l.inputs * l.units}; i++) s += (double)p[${l.wOffset} + i] * p[${l.wOffset} + i]; total += 0.5 * ${l.l2} * s; }`,
  ).join("\n");
  const update = nesterov
    ? `for (int i = 0; i < P; i++) { v[i] = ${f(momentum)} * v[i] - ${f(lr)} * g[i]; p[i] += ${f(momentum)} * v[i] - ${f(lr)} * g[i]; }`
    : momentum !== 0
      ? `for (int i = 0; i < P; i++) { v[i] = ${f(momentum)} * v[i] - ${f(lr)} * g[i]; p[i] += v[i]; }`
      : `for (int i = 0; i < P; i++) p[i] -= ${f(lr)} * g[i];`;

  return `/* Generated by bench/c/generate.ts for workload ${w.name}: ${widths.join(" → ")}, batch ${B}, ${w.loss}. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

enum { P = ${P}, B = ${B}, IN = ${w.inputSize}, OUT = ${O}, SEQ = ${SEQUENCE}, T = ${w.test.rows} };

static float p[P], g[P], v[P], p0[P];
${buffers}
static float *xs, *ys, *tx;

static void forward(void) {
${forward}
}

static void step(int i) {
  const float *y = ys + (size_t)i * B * OUT;
  memcpy(a0, xs + (size_t)i * B * IN, sizeof a0); /* what every engine does: the batch is copied in */
  forward();
${lossGrad}
${backward}
  ${update}
}

static double loss_on(int i) {
  const float *y = ys + (size_t)i * B * OUT;
  memcpy(a0, xs + (size_t)i * B * IN, sizeof a0);
  forward();
  double total = 0.0;
${lossValue}
${penalty}
  return total;
}

static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void reset(void) { memcpy(p, p0, sizeof p); memset(v, 0, sizeof v); }

/* Steps until seconds have passed, checking the clock every block steps; returns steps/s. */
static double timed(double seconds, long block, long *steps_out) {
  long steps = 0; int i = 0;
  const double t0 = now(CLOCK_MONOTONIC); double t = t0;
  while (t - t0 < seconds) {
    for (long k = 0; k < block; k++) { step(i); i = i + 1 == SEQ ? 0 : i + 1; }
    steps += block;
    t = now(CLOCK_MONOTONIC);
  }
  if (steps_out) *steps_out = steps;
  return steps / (t - t0);
}

static float *read_floats(FILE *fp, size_t n) {
  float *a = malloc(n * sizeof(float));
  if (!a || fread(a, sizeof(float), n, fp) != n) { fprintf(stderr, "short data file\\n"); exit(1); }
  return a;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s data.bin seconds reps params-out test-out\\n", argv[0]); return 2; }
  const double seconds = atof(argv[2]); const int reps = atoi(argv[3]);
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) { perror(argv[1]); return 1; }
  float *init = read_floats(fp, P);
  memcpy(p0, init, sizeof p0);
  xs = read_floats(fp, (size_t)SEQ * B * IN);
  ys = read_floats(fp, (size_t)SEQ * B * OUT);
  tx = read_floats(fp, (size_t)T * IN);
  fclose(fp);

  /* (1) agreement run */
  reset();
  for (int i = 0; i < SEQ; i++) step(i);
  const double final_loss = loss_on(0);
  FILE *po = fopen(argv[4], "wb"); fwrite(p, sizeof(float), P, po); fclose(po);
  FILE *to = fopen(argv[5], "wb");
  for (int r = 0; r < T; r += B) { /* test outputs, B rows at a time (the tail padded with row 0) */
    for (int k = 0; k < B; k++) memcpy(a0 + k * IN, tx + (size_t)(r + k < T ? r + k : 0) * IN, IN * sizeof(float));
    forward();
    fwrite(${last}, sizeof(float), (size_t)(T - r < B ? T - r : B) * OUT, to);
  }
  fclose(to);

  /* (2) warm-up, sizing the clock-check block to about 1 ms */
  reset();
  long probe = 0;
  const double rate = timed(seconds < 0.5 ? seconds : 0.5, 1, &probe);
  long block = (long)(rate / 1000); if (block < 1) block = 1;

  /* (3) timed repetitions, each from the initial weights */
  double rates[64]; const int n = reps < 64 ? reps : 64;
  const double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
  for (int r = 0; r < n; r++) { reset(); rates[r] = timed(seconds, block, NULL); }
  const double share = (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / (now(CLOCK_MONOTONIC) - w0);
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  printf("{\\"finalLoss\\":%.9g,\\"cpuShare\\":%.4f,\\"maxRssMB\\":%.1f,\\"reps\\":[", final_loss, share, ru.ru_maxrss / 1024.0);
  for (int r = 0; r < n; r++) printf("%s%.6g", r ? "," : "", rates[r]);
  printf("]}\\n");
  free(init); free(xs); free(ys); free(tx);
  return 0;
}
`;
}
